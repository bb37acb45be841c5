"""The app under gunicorn in a process of its own, and a fresh PostgreSQL schema.

Shared by the tests of crashes and of several servers and by bench/ (which starts the same way)."""
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_postgres(url):
    """An empty public schema: every table, sequence and type of an earlier run is gone."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def server_environment(database_url=None, **environment):
    """The environment of a served app: a database (the embedded SQLite default without one),
    a secret, cookies over plain HTTP on loopback, and no migrating at start."""
    env = dict(os.environ, SECRET_KEY="test-server-secret", COOKIE_SECURE="0", AUTO_MIGRATE="0", PYTHONPATH=ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(environment)
    return env


class Server:
    """The app (or another WSGI app) under gunicorn in its own process group."""

    def __init__(self, database_url=None, *, env=None, port=None, workers=None, app="app:app", ready_path="/healthz",
                 **environment):
        """`workers`: gunicorn's processes; by default gunicorn.conf.py's choice for the environment."""
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [GUNICORN, "-c", os.path.join(ROOT, "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}",
             *(["--workers", str(workers)] if workers else []), app],
            cwd=ROOT, env=env or server_environment(database_url, **environment),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _attempt in range(150):
            try:
                urllib.request.urlopen(self.url(ready_path), timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def signed_in_opener(server, email, password):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = opener.open(server.url("/account/signin")).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    opener.open(server.url("/account/signin"), data=urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": password}).encode())
    page = opener.open(server.url("/patients/")).read().decode()
    return opener, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
