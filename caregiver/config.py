"""Settings, read from the environment so that production keeps its secrets out of the code."""
import os
from urllib.parse import parse_qs, unquote, urlsplit

# The repository: templates/, static/, translations/ and migrations/ sit at its top level.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def database_url(instance_path):
    """DATABASE_URL if set (PostgreSQL via psycopg 3), else a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "mnd-diary.sqlite3")
    # Hosting services hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def mail_settings(environ=os.environ):
    """Flask-Mailman's settings from MAIL_URL (smtp://user:password@host:587 with STARTTLS,
    smtps://... for TLS from the start; ?tls=0 for neither) or from MAIL_SERVER, MAIL_PORT,
    MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_USE_SSL. With neither, messages are written
    as .eml files in the instance folder (caregiver.mail.EmlEmailBackend)."""
    settings = {"MAIL_DEFAULT_SENDER": environ.get("MAIL_FROM", "MND Diary <no-reply@localhost>"),
                "MAIL_TIMEOUT": int(environ.get("MAIL_TIMEOUT", "30"))}
    url = environ.get("MAIL_URL")
    if url:
        parts, query = urlsplit(url), parse_qs(urlsplit(url).query)
        secure = parts.scheme == "smtps"
        settings.update(
            MAIL_BACKEND="smtp", MAIL_SERVER=parts.hostname, MAIL_PORT=parts.port or (465 if secure else 587),
            MAIL_USERNAME=unquote(parts.username) if parts.username else None,
            MAIL_PASSWORD=unquote(parts.password) if parts.password else None,
            MAIL_USE_SSL=secure, MAIL_USE_TLS=not secure and query.get("tls", ["1"])[0] == "1")
    elif environ.get("MAIL_SERVER"):
        settings.update(
            MAIL_BACKEND="smtp", MAIL_SERVER=environ["MAIL_SERVER"], MAIL_PORT=int(environ.get("MAIL_PORT", "587")),
            MAIL_USERNAME=environ.get("MAIL_USERNAME"), MAIL_PASSWORD=environ.get("MAIL_PASSWORD"),
            MAIL_USE_TLS=environ.get("MAIL_USE_TLS", "1") == "1", MAIL_USE_SSL=environ.get("MAIL_USE_SSL") == "1")
    else:
        settings["MAIL_BACKEND"] = "caregiver.mail.EmlEmailBackend"
    return settings


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The embedded SQLite default is migrated on start so that `flask run` just works.
    AUTO_MIGRATE_SQLITE = os.environ.get("AUTO_MIGRATE", "1") == "1"
    # Cookies only over HTTPS in production (served behind a TLS proxy); COOKIE_SECURE=0 for plain
    # HTTP on a family's own small box or a benchmark on 127.0.0.1.
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = os.environ.get(
        "COOKIE_SECURE", "1" if os.environ.get("APP_ENV") == "production" else "0") == "1"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # no time limits: a tired carer may leave a form open for hours
    MAX_CONTENT_LENGTH = 1024 * 1024
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(ROOT, "translations")
    # Static URLs carry a hash of the file (caregiver.static_file_hash), so browsers may keep them a year.
    SEND_FILE_MAX_AGE_DEFAULT = 60 * 60 * 24 * 365
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/json",
                          "application/manifest+json", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # How many reverse proxies (nginx, a load balancer) stand in front: their X-Forwarded-* are trusted.
    PROXIES = int(os.environ.get("PROXIES", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    INVITE_DAYS = 7
    HISTORY_PAGE_SIZE = 50
    # Where people open the app: the links in e-mails point here.
    APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:5000")
    # MAIL_* come from mail_settings(), read by the factory; MAIL_FILE_PATH defaults to instance/mail.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "10"))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))  # doubling from here, at most an hour
    # A worker that has not finished a delivery after this long is taken to have died.
    DELIVERY_LEASE_SECONDS = int(os.environ.get("DELIVERY_LEASE_SECONDS", "300"))
    DELIVERY_GRACE_SECONDS = 60
    # The job queue: redis://host:6379/1 for several hosts; the SQLite file instance/jobs.sqlite3 by default.
    JOBS_URL = os.environ.get("JOBS_URL", "")
    JOBS_IMMEDIATE = os.environ.get("JOBS_IMMEDIATE") == "1"
    JOBS_STUCK_SECONDS = int(os.environ.get("JOBS_STUCK_SECONDS", "900"))
    # Web Push: one VAPID key pair for every host (made once and kept in the instance folder if unset).
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:no-reply@localhost")
    # Cached diary pages: CACHE_REDIS_URL=redis://host:6379/4 for several hosts, else files in the
    # instance folder (CACHE_DIR, set by the factory). Keys carry the diary's data version, so an
    # entry is never outlived by its page; the timeout only bounds what an idle diary keeps.
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_SECONDS", str(60 * 60 * 24)))
    CACHE_THRESHOLD = 5000
