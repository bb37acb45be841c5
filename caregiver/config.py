"""Settings, read from the environment so that production keeps its secrets out of the code."""
import os

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
