"""The clinic's side: the dashboard of linked families, a family's page for staff, the staff and
their settings; and, for a diary's owners, linking the diary to a clinic and reading what the
clinic opened."""
from flask import Blueprint

bp = Blueprint("clinic", __name__)

from . import routes  # noqa: E402,F401
