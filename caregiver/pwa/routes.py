"""Manifest per language, the service worker at the root scope, the offline page, and sync."""
import hashlib
import json
import os
from functools import cache

import re

from flask import Response, current_app, render_template, url_for
from flask_babel import force_locale

from . import bp
from ..i18n import gettext as _, LANGUAGE_BY_CODE, LANGUAGES, text_direction

THEME_COLOUR = "#163f69"
BACKGROUND_COLOUR = "#f3f5f8"
# What the service worker keeps from the first visit: enough to open the app and log offline.
SHELL_FILES = (
    "css/app.css", "css/fonts.css", "js/app.js", "js/offline.js", "js/push.js", "js/measure-screens.js",
    "js/measure-analysis.js", "js/measure-worklet.js", "fonts/noto-sans-latin-400-normal.woff2",
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
    script = (script.replace("__VERSION__", static_version(current_app.static_folder))
              .replace("__SHELL__", json.dumps(shell)).replace("__ROUTES__", json.dumps(worker_routes())))
    return Response(script, mimetype="text/javascript", headers={
        "Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


# The routes the worker acts on, as the app's URL map has them, so that the two cannot drift apart.
WORKER_ROUTES = {"quickLog": "diary.quick", "newEntry": "diary.new_entry", "sync": "diary.sync",
                 "signIn": "auth.signin", "signOut": "auth.signout", "signOutEverywhere": "auth.signout_everywhere"}


def route_pattern(endpoint):
    """A Flask rule as a JavaScript regular expression: each variable part becomes a group."""
    rule = next(current_app.url_map.iter_rules(endpoint)).rule
    parts = re.split(r"<(?:(\w+):)?\w+>", rule)
    pattern, converters = "", parts[1::2]
    for index, literal in enumerate(parts[::2]):
        pattern += re.escape(literal).replace("/", "\\/")
        if index < len(converters):
            pattern += r"(\d+)" if converters[index] == "int" else r"([^/]+)"
    return f"^{pattern}$"


def worker_routes():
    routes = {name: route_pattern(endpoint) for name, endpoint in WORKER_ROUTES.items()}
    # Where a batch of offline entries goes: "/patients/{patient_id}/sync".
    routes["syncTemplate"] = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", next(current_app.url_map.iter_rules("diary.sync")).rule)
    return routes


@bp.route("/offline/<lang>")
def offline(lang):
    """What the service worker shows for a page it has not kept, in the reader's language."""
    language = LANGUAGE_BY_CODE.get(lang) or LANGUAGES[0]
    with force_locale(language.code):
        return render_template("pwa/offline.html", html_lang=language.code.replace("_", "-"),
                               text_direction=text_direction(language.code))
