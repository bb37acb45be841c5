"""The visit summary: a two-minute page for the neurologist, as a preview and a PDF."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import routes  # noqa: E402,F401
