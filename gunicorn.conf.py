"""gunicorn settings for production, from the environment: `gunicorn app:app` (see docs/deploy.md)."""
import gc
import os

# gunicorn is how the app runs in production: the app then refuses the development secret key
# and sends cookies over HTTPS only (caregiver/config.py).
os.environ.setdefault("APP_ENV", "production")

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sign-in attempts are counted in RATELIMIT_STORAGE_URI. In memory (the default), each process
# would count on its own, and several processes would let several times the limit through: so
# without a shared store the app runs as one process with threads, and refuses more processes.
SHARED_COUNTS = not os.environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
# Sync workers, one request each: a PDF takes a second of one core, and pages stay quick beside it.
workers = int(os.environ.get("WEB_CONCURRENCY", 3 if SHARED_COUNTS else 1))
threads = int(os.environ.get("THREADS", 1 if SHARED_COUNTS else 4))
timeout = int(os.environ.get("TIMEOUT", 60))
# Load the app (and migrate the embedded database) once, before the workers fork.
preload_app = True
# Recycle workers now and then, so that no cache grows for ever.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("ACCESS_LOG") or None


def on_starting(server):
    if server.cfg.workers > 1 and not SHARED_COUNTS:
        raise SystemExit("Several worker processes need a shared store for the sign-in limits: set "
                         "RATELIMIT_STORAGE_URI=redis://... (or run one process: WEB_CONCURRENCY=1).")


def pre_fork(server, worker):
    """The app, loaded once in this process (preload_app), is about 180,000 objects that live as
    long as the process. Frozen before the fork, a worker's full collections leave them out: 7.5 ms
    instead of 138 ms, measured after 40 trends pages of the 10-year set, where one came every 40
    pages or so. Their pages also stay shared with the master, as no collection writes to them."""
    gc.freeze()
