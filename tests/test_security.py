"""Throttled sign-in, rotated sessions, safe cookies and headers, inert hostile text, secrets from the environment."""
import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from caregiver import create_app

from .conftest import PASSWORD, make_patient, make_user, sign_in
from .test_languages import pages_of


def test_sign_in_is_throttled_per_account_and_per_address(app, client, throttled):
    make_user(app)
    make_user(app, "other@example.org")
    for _attempt in range(10):
        assert client.post("/account/signin", data={"email": "carer@example.org", "password": "wrong"}).status_code == 200
    blocked = client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many tries" in blocked.get_data(as_text=True)
    # another account from the same address still signs in, until the address's own limit
    assert client.post("/account/signin", data={"email": "other@example.org", "password": PASSWORD}).status_code == 302
    client.post("/account/signout")
    for attempt in range(28):  # with the two below: the 30 an address may fail in 15 minutes
        client.post("/account/signin", data={"email": f"nobody{attempt}@example.org", "password": "x"},
                    environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert client.post("/account/signin", data={"email": "other@example.org", "password": "x"},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.post("/account/signin", data={"email": "z@example.org", "password": "x"},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.post("/account/signin", data={"email": "other@example.org", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    assert client.get("/account/signin", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200  # reading is free


def test_signing_in_starts_a_new_session_and_cookies_are_safe(app, client):
    make_user(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = app.test_client()
    assert "Secure" in sign_in(secure).headers["Set-Cookie"]


def test_every_response_has_the_security_headers(app, client, demo):
    for url in ["/", "/healthz", "/static/css/app.css", "/nope", f"/patients/{demo}/", f"/patients/{demo}/sync",
                f"/patients/{demo}/report/summary.pdf?range=1", "/sw.js", "/manifest/en.webmanifest"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
    assert "max-age" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


class InlineCode(HTMLParser):
    """Inline scripts, inline styles and event-handler attributes: what the CSP would block."""

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.in_script = tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"
        if tag == "style" or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.found.append((tag, attrs))

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(("script", data[:40]))

    def handle_endtag(self, tag):
        self.in_script = False


def test_no_page_needs_inline_script_or_style(app, client, demo):
    for url in pages_of(app, demo):
        parser = InlineCode()
        parser.feed(client.get(url, follow_redirects=True).get_data(as_text=True))
        assert parser.found == [], url


PAYLOADS = ('<script>alert("x")</script>', '<img src=x onerror="alert(1)">', '"><svg onload=alert(1)>')


def test_hostile_text_is_shown_as_text_in_pages_and_pdfs(app, client):
    owner = make_user(app, name=PAYLOADS[2])
    patient_id = make_patient(app, owner, name="Ravi " + PAYLOADS[1], allergies=PAYLOADS[0],
                              emergency_contacts=PAYLOADS[1])
    sign_in(client)
    client.post(f"/patients/{patient_id}/log", data={"name": PAYLOADS[0][:70], "group": "general"})
    for payload in PAYLOADS:
        client.post(f"/patients/{patient_id}/new/symptom", data={
            "symptom": "cramps", "occurred_at": "2026-01-05T10:00", "source": "carer", "note": payload})
        client.post(f"/patients/{patient_id}/new/medication", data={"name": payload[:100], "started": "2026-01-01"})
        client.post(f"/patients/{patient_id}/questions", data={"note": payload})
    pages = [f"/patients/{patient_id}/", f"/patients/{patient_id}/history", f"/patients/{patient_id}/medications",
             f"/patients/{patient_id}/questions", f"/patients/{patient_id}/log", f"/patients/{patient_id}/team",
             f"/patients/{patient_id}/report/preview?range=1&notes=y&appendix=y", f"/patients/{patient_id}/emergency-card",
             f"/patients/{patient_id}/trends?range=1", f"/patients/{patient_id}/profile"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        for payload in PAYLOADS:
            assert payload not in html, (url, payload)  # never as markup
        assert "&lt;script&gt;" in html or "&lt;img" in html or "&#34;&gt;&lt;svg" in html, url
        parser = InlineCode()
        parser.feed(html)
        assert parser.found == [], url
    for url in (f"/patients/{patient_id}/report/summary.pdf?range=1&notes=y&appendix=y",
                f"/patients/{patient_id}/emergency-card.pdf"):
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(url).data)).pages)
        assert "<script>" in text or "onerror" in text  # printed as the words they are


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "dev-only-not-secret", "AUTO_MIGRATE_SQLITE": False})
    assert create_app({"SECRET_KEY": "a real secret", "AUTO_MIGRATE_SQLITE": False, "TESTING": True})


def test_oversized_requests_get_413_not_a_crash(app, client, carer):
    _user, patient_id = carer
    big = client.post(f"/patients/{patient_id}/new/symptom", data={"note": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413 and re.search("too much", big.get_data(as_text=True))
    assert client.post(f"/patients/{patient_id}/questions", data={"note": "x" * 2_000_000}).status_code == 413
