"""Plain-language explainers: one page per symptom and a few topic pages."""
from flask import Blueprint

bp = Blueprint("explain", __name__, url_prefix="/explain")

from . import routes  # noqa: E402,F401
