"""Start the app under gunicorn on a fresh database with demo data, for benchmarks and audits.

Used by bench/lighthouse.py and bench/run.py; runnable alone:
  .venv/bin/python bench/serve.py [--port 8000] [--workers 3] [--dataset 2y|10y|1000]
prints the demo account and serves until stopped.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tests.servers import Server, reset_postgres, server_environment  # noqa: E402

PYTHON = os.path.join(ROOT, ".venv", "bin", "python")


def prepare(dataset="2y", database_url=None):
    """A fresh database with a data set of bench/data.py; returns (env, email, password, patient id, entries)."""
    # Served as a clinic would: several processes, sign-in limits counted in Redis.
    env = server_environment(database_url, SECRET_KEY="bench-secret", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/3")
    if database_url:
        reset_postgres(database_url)
    else:
        env.pop("DATABASE_URL", None)
        env["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mnd-bench-")
    out = subprocess.run([PYTHON, os.path.join(ROOT, "bench", "data.py"), dataset], env=env, check=True,
                         capture_output=True, text=True).stdout
    email, password, patient_id, entries = out.split()[-4:]
    return env, email, password, int(patient_id), int(entries)


def start(env, port, workers=3, app="app:app", ready_path="/healthz"):
    return Server(env=env, port=port, workers=workers, app=app, ready_path=ready_path)


def stop(server):
    server.stop()


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
        server.process.wait()
    except KeyboardInterrupt:
        stop(server)
    sys.exit(0)
