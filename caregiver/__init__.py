"""MND Diary: a symptom diary for families living with motor neuron disease."""
import hashlib
import os
from functools import cache

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .accounts import offline_cache_key, user_by_login_id
# Imported for what they register: channels, message kinds and jobs, the data version's listeners.
from . import alerts, jobs, mail, push, reminders, versions  # noqa: F401
from .config import DEFAULT_SECRET_KEY, ROOT, Config, database_url, mail_settings
from .extensions import babel, compress, db, limiter, login_manager, mailman, migrate
from .extensions import cache as page_cache
from .i18n import remember_language_choice, select_locale, select_timezone




def create_app(config=None):
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.url_map.converters["int"] = DatabaseId
    app.config.from_object(Config)
    app.config.from_mapping(mail_settings())
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    app.config["MAIL_FILE_PATH"] = os.path.join(app.instance_path, "mail")
    if config:
        app.config.from_mapping(config)
    refuse_default_secret_in_production(app)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    login_manager.init_app(app)
    login_manager.user_loader(user_by_login_id)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    compress.init_app(app)
    limiter.init_app(app)
    mailman.init_app(app)
    page_cache.init_app(app, config=cache_settings(app))
    jobs.init_app(app)
    if app.config["PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"],
                                x_host=app.config["PROXIES"])
    app.url_defaults(static_file_hash)

    from . import auth, clinic, diary, explain, main, notifications, patients, pwa, reports, trends

    for blueprint in (main.bp, auth.bp, patients.bp, diary.bp, trends.bp, reports.bp, explain.bp, pwa.bp,
                      notifications.bp, clinic.bp):
        app.register_blueprint(blueprint)

    from .cli import register_commands
    from .errors import register_error_handlers
    from .templating import register_template_helpers

    register_commands(app)
    register_error_handlers(app)
    register_template_helpers(app)
    app.after_request(security_headers)
    app.after_request(offline_cache_header)
    app.after_request(remember_language_choice)

    if app.config["AUTO_MIGRATE_SQLITE"] and db_is_sqlite(app):
        with app.app_context():
            upgrade_if_behind()
    return app


def refuse_default_secret_in_production(app):
    """APP_ENV=production (gunicorn.conf.py sets it) with the development key would let anyone sign
    sessions and forms: refuse to start."""
    if os.environ.get("APP_ENV") == "production" and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError("SECRET_KEY must be set in the environment in production (APP_ENV=production).")


class DatabaseId(IntegerConverter):
    """An id in a URL fits the database's integer, so a made-up huge one is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def static_file_hash(endpoint, values):
    """/static/css/app.css?v=<hash>: a changed file gets a new URL, so each can be cached for a year."""
    if endpoint == "static" and "filename" in values:
        values.setdefault("v", file_hash(current_app.static_folder, values["filename"]))


@cache
def file_hash(folder, filename):
    path = os.path.join(folder, filename)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as static_file:
        return hashlib.sha256(static_file.read()).hexdigest()[:10]


def db_is_sqlite(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout, so two carers saving at once never meet 'database is locked'."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def upgrade_if_behind():
    """Create or migrate the embedded database to the newest schema."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    script = ScriptDirectory.from_config(migrate.get_config())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != script.get_current_head():
        upgrade()
    db.engine.dispose()  # no connection outlives start-up into forked server processes


def cache_settings(app):
    """Flask-Caching's settings: Redis when CACHE_REDIS_URL is set, else files in the instance folder."""
    settings = {"CACHE_DEFAULT_TIMEOUT": app.config["CACHE_DEFAULT_TIMEOUT"],
                "CACHE_THRESHOLD": app.config["CACHE_THRESHOLD"], "CACHE_KEY_PREFIX": "pages:"}
    url = app.config.get("CACHE_REDIS_URL") or os.environ.get("CACHE_REDIS_URL")
    if url:
        return settings | {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    return settings | {"CACHE_TYPE": "FileSystemCache",
                       "CACHE_DIR": app.config.get("CACHE_DIR") or os.path.join(app.instance_path, "cache")}


CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


# Browser features: only the microphone, on this site, for the speech and breathing measures; the
# rest denied, so a script that got in still could not use them. Notifications are not a
# Permissions-Policy feature: the browser asks for them on its own.
PERMISSIONS_POLICY = ", ".join([
    "microphone=(self)",
    *(f"{feature}=()" for feature in (
        "camera", "geolocation", "payment", "usb", "serial", "hid", "bluetooth", "midi", "magnetometer",
        "gyroscope", "accelerometer", "display-capture", "screen-wake-lock", "publickey-credentials-get",
        "xr-spatial-tracking", "idle-detection", "encrypted-media", "picture-in-picture", "clipboard-read")),
])
# Pages anyone may see, with nothing of a family in them: browsers and proxies may keep these as
# they always have. Every other response (diaries, settings, PDFs, invites, reset links) is
# no-store, so a new page or file is private unless named here.
PUBLIC_ENDPOINTS = frozenset({
    "static", "explain.index", "explain.page", "pwa.manifest", "pwa.offline", "pwa.service_worker",
    "auth.signin", "auth.signup", "auth.forgot_password", "main.index", "main.healthz",
})


# Tells the service worker (static/js/sw.js) whose pages a response belongs to: it keeps them for
# that account only, and forgets them when a response comes with another account or with none.
OFFLINE_CACHE_HEADER = "X-Account-Cache"


def offline_cache_header(response):
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers[OFFLINE_CACHE_HEADER] = offline_cache_key(current_user)
    return response


def security_headers(response):
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
