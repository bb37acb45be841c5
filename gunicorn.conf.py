"""gunicorn settings for production, from the environment: `gunicorn app:app` (see docs/deploy.md)."""
import os

# gunicorn is how the app runs in production: the app then refuses the development secret key
# and sends cookies over HTTPS only (caregiver/config.py).
os.environ.setdefault("APP_ENV", "production")

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, one request each: a PDF takes a second of one core, and pages stay quick beside it.
workers = int(os.environ.get("WEB_CONCURRENCY", 3))
timeout = int(os.environ.get("TIMEOUT", 60))
# Load the app (and migrate the embedded database) once, before the workers fork.
preload_app = True
# Recycle workers now and then, so that no cache grows for ever.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("ACCESS_LOG") or None
