"""A push service on 127.0.0.1 for the tests: it plays the part of FCM or Mozilla's autopush. It
checks each message's VAPID signature (RFC 8292) against the app's public key, decrypts the
payload with the subscribing device's keys (RFC 8291, aes128gcm, by http_ece) and keeps what it
received. It answers 201, or what a test tells it to (410 for a device that has gone)."""
import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """What a browser keeps for one subscription: its P-256 key pair and auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self):
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth_secret(self):
        return b64url(self.auth)

    def decrypt(self, body):
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")


def verify_vapid(authorization, audience, public_key_b64):
    """The claims of a valid `vapid t=..., k=...` header for `audience`; raises AssertionError otherwise."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid", authorization
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    assert fields["k"] == public_key_b64, "signed with another key than the app's"
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64))["alg"] == "ES256"
    signature = unb64url(signature_b64)
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    try:
        public_key.verify(encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")),
                          f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as bad:
        raise AssertionError("VAPID signature does not verify") from bad
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience, claims
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
    return claims


class PushService:
    def __init__(self):
        self.devices = {}  # path -> Device
        self.received = []  # (path, headers, body)
        self.answers = {}  # path -> status code to answer instead of 201
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service.lock:
                    service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = service.answers.get(self.path, 201)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_device(self, name):
        device = Device()
        self.devices[f"/push/{name}"] = device
        return f"{self.origin}/push/{name}", device

    def messages(self, public_key_b64):
        """[(device name, claims, payload)] of what arrived, each verified and decrypted."""
        opened = []
        for path, headers, body in list(self.received):
            assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
            claims = verify_vapid(headers["authorization"], self.origin, public_key_b64)
            payload = json.loads(self.devices[path].decrypt(body))
            opened.append((path.rsplit("/", 1)[1], claims, payload))
        return opened

    def close(self):
        self.server.shutdown()
        self.server.server_close()
