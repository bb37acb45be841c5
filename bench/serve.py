"""Start the app under gunicorn on a fresh database with demo data, for benchmarks and audits.

Used by bench/lighthouse.py and bench/load.py; runnable alone:
  .venv/bin/python bench/serve.py [--port 8000] [--workers 3] [--years 2] [--families 1]
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


def prepare(database_url=None, years=2.0, intensity=1.0, families=1, seed=1):
    """A database with the demo family (and more families if asked); returns (env, email, password)."""
    env = dict(os.environ, SECRET_KEY="bench-secret", PYTHONPATH=ROOT, COOKIE_SECURE="0")
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
        env["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mnd-bench-")
    script = (
        "from caregiver import create_app; from caregiver.demo import create_demo; import flask_migrate\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    flask_migrate.upgrade()\n"
        f"    for n in range(1, {families}):\n"
        f"        create_demo(seed={seed} + n, email=f'family{{n}}@example.org', years={years}, intensity={intensity})\n"
        f"    r = create_demo(seed={seed}, years={years}, intensity={intensity})\n"
        "    print(r.user.email, r.password, r.patient.id, r.entry_count)\n"
    )
    out = subprocess.run([PYTHON, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    email, password, patient_id, entries = out.split()[-4:]
    return env, email, password, int(patient_id), int(entries)


def start(env, port, workers=3, app="app:app"):
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "-c", os.path.join(ROOT, "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _attempt in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
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
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument("--families", type=int, default=1)
    args = parser.parse_args()
    env, email, password, patient_id, entries = prepare(years=args.years, families=args.families)
    server = start(env, args.port, args.workers)
    print(f"http://127.0.0.1:{args.port}/  email: {email} password: {password}  ({entries} entries)")
    try:
        server.wait()
    except KeyboardInterrupt:
        stop(server)
    sys.exit(0)
