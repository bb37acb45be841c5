"""Where to send someone after a form: only ever a path on this site."""
from flask import request


def safe_next(default):
    """The ?next= path if it stays on this site, so a link cannot send anyone elsewhere."""
    target = request.values.get("next", "")
    # A line break would reach the Location header, which cannot hold one: a 500, not a redirect.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and target.isprintable():
        return target
    return default
