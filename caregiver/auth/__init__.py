"""Accounts: sign up, sign in and out, password and settings."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from . import routes  # noqa: E402,F401
