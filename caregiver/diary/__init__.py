"""The diary: quick log, entries of every kind, history, medications, appointments, questions."""
from flask import Blueprint

bp = Blueprint("diary", __name__)

from . import routes  # noqa: E402,F401
