"""Diary pages kept until their diary changes.

A page's content is cached under a key that holds everything that changes it: the diary's data
version (caregiver/versions.py, moved on in the same transaction as every write), the page and
its query string, the reader's language, time zone, role and local day, the session's form token
and the release (code, templates, translations). The key is also the page's ETag: a phone that already holds this
very page (the service worker sends If-None-Match) gets 304 and shows its own copy.

A page showing a banner with a form token (?saved=, ?undo=) or a message waiting to be shown is
never cached, nor answered 304.
"""
import hashlib
import json
import os
from functools import cache as once

from flask import make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from .clock import local_today
from .config import ROOT
from .extensions import cache

BANNERS = ("saved", "undo")


@once
def release_version(root):
    """A digest of the code, templates and compiled translations, so that a new release never
    serves what the last one cached."""
    digest = hashlib.sha256()
    for folder, suffixes in (("caregiver", (".py",)), ("templates", (".html", ".txt")), ("translations", (".mo",))):
        for path, _dirs, files in sorted(os.walk(os.path.join(root, folder))):
            for name in sorted(files):
                if name.endswith(suffixes):
                    with open(os.path.join(path, name), "rb") as source:
                        digest.update(name.encode() + source.read())
    return digest.hexdigest()[:16]


def page_key(membership):
    """The key (and ETag) of this request's page of the membership's diary; None if it is not kept."""
    if any(request.args.get(name) for name in BANNERS) or session.get("_flashes"):
        return None
    tz = current_user.timezone
    patient = membership.patient  # its creation time too: SQLite may give a deleted diary's id again
    parts = (request.endpoint, request.full_path, patient.id, patient.created_at.isoformat(), patient.data_version,
             str(get_locale()), tz, membership.role, local_today(tz).isoformat(), session.get("csrf_token", ""),
             release_version(ROOT))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40]


def kept(membership, make):
    """What `make()` returns for this request's page (HTML, or a PDF and its name), from the cache
    while the key holds; (value, key), with key None when the page is not to be kept."""
    key = page_key(membership)
    if key is None:
        return make(), None
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value)
    return value, key


def kept_page(membership, content, page):
    """The response of a diary page: `content()` makes its content (the costly part, as HTML),
    `page(html)` the whole page around it. Answers 304 when the phone holds this very page, and
    uses the cached content when only the page around it needs making."""
    key = page_key(membership)
    if key is not None and request.if_none_match.contains(key):
        response = make_response("", 304)
        response.set_etag(key)
        return response
    html, key = kept(membership, content)
    response = make_response(page(Markup(html)))
    if key is not None:
        response.set_etag(key)
    return response
