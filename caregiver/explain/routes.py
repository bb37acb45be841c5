"""Explainer index, search and pages."""
from flask import abort, render_template, request
from flask_babel import get_locale

from .. import catalogue
from . import bp
from .content import BOXES, BOXES_ON_PAGE, TOPICS, load


@bp.app_template_global("explainer_box")
def in_current_language(slug):
    """The explainer (or box) in the reader's language, English until it is translated; any
    template may ask for a box, such as the emergency card."""
    return load(str(get_locale()), slug) or load("en", slug)


@bp.route("/")
def index():
    query = request.args.get("q", "").strip()[:100]
    topics = [page for page in map(in_current_language, TOPICS) if page]
    symptoms = [
        (symptom, page)
        for symptom in catalogue.SYMPTOMS.values()
        if (page := in_current_language(symptom.explainer))
    ]
    results = None
    if query:
        needle = query.casefold()
        results = [
            page for page in topics + [page for _symptom, page in symptoms]
            if needle in page.title.casefold() or needle in page.summary.casefold()
            or needle in page.text.casefold()
        ]
    return render_template("explain/index.html", topics=topics, symptoms=symptoms, query=query, results=results)


@bp.route("/<slug>")
def page(slug):
    explainer = in_current_language(slug) if slug not in BOXES else None  # a box is part of pages, not one
    if explainer is None:
        abort(404)
    symptom = catalogue.SYMPTOMS.get(slug.replace("-", "_")) if slug not in TOPICS else None
    return render_template("explain/page.html", page=explainer, symptom=symptom, boxes=BOXES_ON_PAGE.get(slug, ()))
