"""The diary: quick log, entries of every kind, history, the lists, offline sync, backups."""
from flask import Blueprint

bp = Blueprint("diary", __name__)

from . import backups, routes  # noqa: E402,F401
