"""Where to send someone after a form: only ever a path on this site."""
import re
from urllib.parse import unquote, urlsplit

from flask import request

# What a browser drops or rewrites before it reads a URL: leading and trailing C0 controls and
# spaces, tabs and newlines anywhere, and backslashes read as slashes ("/\t/evil" is "//evil").
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")


def as_browser_reads(url):
    return _CONTROL.sub("", _EDGES.sub("", url)).replace("\\", "/")


def is_same_site_path(target):
    """Whether `target` is a path on this site however a browser, or a server after one or more
    rounds of percent-decoding, reads it: one leading slash, no scheme, no host, no control
    characters, no backslashes. Anything that needed cleaning up is refused, not repaired."""
    if not isinstance(target, str) or not target or len(target) > 2000 or as_browser_reads(target) != target:
        return False
    seen = target
    for _round in range(4):  # %2F, %252F, ...: every decoding must still be a path here
        read = as_browser_reads(seen)
        parts = urlsplit(read)
        if not read.startswith("/") or read.startswith("//") or parts.scheme or parts.netloc:
            return False
        decoded = unquote(seen)
        if decoded == seen:
            return True
        seen = decoded
    return False


def safe_next(default):
    """The ?next= path if it stays on this site, so a link cannot send anyone elsewhere."""
    target = request.values.get("next", "")
    return target if is_same_site_path(target) else default
