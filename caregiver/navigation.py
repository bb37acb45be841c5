"""Where to send someone after a form: only ever a path on this site."""
from flask import request


def safe_next(default):
    """The ?next= path if it stays on this site, so a link cannot send anyone elsewhere."""
    target = request.values.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
