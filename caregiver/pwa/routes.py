"""Manifest per language, the service worker at the root scope, the offline page, and sync."""
import hashlib
import json
import os
from functools import cache

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..access import membership_or_404
from ..diary.routes import default_source
from ..extensions import db
from ..i18n import LANGUAGE_BY_CODE, LANGUAGES, text_direction
from . import bp
from .sync import MAX_BATCH, merge_entries

THEME_COLOUR = "#163f69"
BACKGROUND_COLOUR = "#f3f5f8"
# What the service worker keeps from the first visit: enough to open the app and log offline.
SHELL_FILES = (
    "css/app.css", "css/fonts.css", "js/app.js", "js/offline.js", "fonts/noto-sans-latin-400-normal.woff2",
    "fonts/noto-sans-latin-700-normal.woff2", "icons/icon-192.png",
)


@bp.route("/manifest/<lang>.webmanifest")
def manifest(lang):
    language = LANGUAGE_BY_CODE.get(lang) or LANGUAGES[0]
    with force_locale(language.code):
        body = {
            "name": _("MND Diary"),
            "short_name": _("MND Diary"),
            "description": _("A symptom diary for families living with motor neuron disease."),
            "lang": language.code.replace("_", "-"),
            "dir": text_direction(language.code),
            "start_url": url_for("main.index", source="app", lang=language.code),
            "scope": "/",
            "id": "/",
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512",
                 "type": "image/png", "purpose": "maskable"},
            ],
        }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@cache
def static_version(static_folder):
    """A hash of every static file: a new release gets new caches, and the old ones are cleared."""
    digest = hashlib.sha256()
    for folder, _dirs, files in sorted(os.walk(static_folder)):
        for name in sorted(files):
            with open(os.path.join(folder, name), "rb") as static_file:
                digest.update(name.encode() + static_file.read())
    return digest.hexdigest()[:12]


@bp.route("/sw.js")
def service_worker():
    """Served from the root (not /static/) so that its scope is the whole app."""
    with open(os.path.join(current_app.static_folder, "js", "sw.js"), encoding="utf-8") as source:
        script = source.read()
    shell = [url_for("static", filename=path) for path in SHELL_FILES] + [
        url_for("pwa.offline", lang=language.code) for language in LANGUAGES]
    script = script.replace("__VERSION__", static_version(current_app.static_folder)).replace(
        "__SHELL__", json.dumps(shell))
    return Response(script, mimetype="text/javascript", headers={
        "Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@bp.route("/offline/<lang>")
def offline(lang):
    """What the service worker shows for a page it has not kept, in the reader's language."""
    language = LANGUAGE_BY_CODE.get(lang) or LANGUAGES[0]
    with force_locale(language.code):
        return render_template("pwa/offline.html", html_lang=language.code.replace("_", "-"),
                               text_direction=text_direction(language.code))


@bp.route("/patients/<int:patient_id>/sync", methods=["POST"])
@login_required
def sync(patient_id):
    """Entries logged offline, as JSON: {"entries": [{"uuid", "kind", "fields", "tz"}, ...]}."""
    membership = membership_or_404(patient_id, need="log")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (ValidationError, CSRFError):
            return jsonify(error=_("This page was open too long. Please reload it; your entries are kept.")), 400
    payload = request.get_json(silent=True)
    items = payload.get("entries") if isinstance(payload, dict) else None
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        return jsonify(error=_("Something in that request was not right")), 400
    results = merge_entries(membership.patient, current_user, default_source(membership), items)
    db.session.commit()
    return jsonify(results=[{"uuid": r.uuid, "status": r.status, "errors": r.errors, "id": r.id}
                            for r in results])
