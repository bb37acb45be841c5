"""Start the app under gunicorn on a fresh database with demo data, for benchmarks and audits.

Used by bench/lighthouse.py and bench/run.py; runnable alone:
  .venv/bin/python bench/serve.py [--port 8000] [--workers 3] [--dataset 2y|10y|1000]
prints the demo account and serves until stopped.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")


def prepare(dataset="2y", database_url=None):
    """A fresh database with a data set of bench/data.py; returns (env, email, password, patient id, entries)."""
    env = dict(os.environ, SECRET_KEY="bench-secret", PYTHONPATH=ROOT, COOKIE_SECURE="0", AUTO_MIGRATE="0")
    if database_url:
        env["DATABASE_URL"] = database_url
        reset_postgres(database_url)
    else:
        env.pop("DATABASE_URL", None)
        env["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mnd-bench-")
    out = subprocess.run([PYTHON, os.path.join(ROOT, "bench", "data.py"), dataset], env=env, check=True,
                         capture_output=True, text=True).stdout
    email, password, patient_id, entries = out.split()[-4:]
    return env, email, password, int(patient_id), int(entries)


def reset_postgres(database_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def start(env, port, workers=3, app="app:app", ready_path="/healthz"):
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "-c", os.path.join(ROOT, "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _attempt in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--dataset", choices=("2y", "10y", "1000"), default="2y")
    args = parser.parse_args()
    env, email, password, patient_id, entries = prepare(args.dataset)
    server = start(env, args.port, args.workers)
    print(f"http://127.0.0.1:{args.port}/  email: {email} password: {password}  ({entries} entries)")
    try:
        server.wait()
    except KeyboardInterrupt:
        stop(server)
    sys.exit(0)
