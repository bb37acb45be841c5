"""Flask extensions, created unbound here and bound to the app in create_app()."""
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .i18n import lazy_gettext as _l


class Base(DeclarativeBase):
    # Named constraints, so that later migrations can alter them on SQLite too.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.signin"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
babel = Babel()
compress = Compress()
mailman = Mail()
# Sign-in attempts per address and per account; RATELIMIT_STORAGE_URI (Redis) when several processes run.
limiter = Limiter(key_func=get_remote_address)
# Diary pages kept until their diary changes (caregiver/pages.py): files in the instance folder by
# default, shared by the processes of one host; CACHE_REDIS_URL (Redis) for several hosts.
cache = Cache()
