"""The app under gunicorn in a process of its own, for the tests of crashes and of several servers."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from .conftest import PASSWORD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app under gunicorn in its own process group, on the test database."""

    def __init__(self, database_url, **environment):
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-server-secret", COOKIE_SECURE="0",
                   AUTO_MIGRATE="0", PYTHONPATH=ROOT, **environment)
        self.process = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", os.path.join(ROOT, "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "app:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _attempt in range(150):
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def signed_in_opener(server, email):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(server.url("/account/signin")).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    opener.open(server.url("/account/signin"), data=urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": PASSWORD}).encode())
    page = opener.open(server.url("/patients/")).read().decode()
    return opener, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
