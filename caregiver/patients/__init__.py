"""Patient profiles and their care team."""
from flask import Blueprint

bp = Blueprint("patients", __name__)

from . import routes  # noqa: E402,F401
