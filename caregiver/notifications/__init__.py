"""Alerts and how they reach people: the alerts of a diary, acknowledging them, each member's
settings, reminders, and this device's Web Push subscription."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import routes  # noqa: E402,F401
