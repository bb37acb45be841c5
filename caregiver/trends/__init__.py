"""Change over time: the trends page and its charts."""
from flask import Blueprint

bp = Blueprint("trends", __name__)

from . import routes  # noqa: E402,F401
