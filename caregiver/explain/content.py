"""Explainer pages as Markdown files per language (content/<lang>/<slug>.md), easy to translate.

Each file opens with meta lines (Title, Summary, Reviewed, Sources), a blank line, then the body.
"""
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .. import catalogue

CONTENT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content")
# Topic pages, in the order the index lists them, the measures' own pages last; symptom pages
# follow the catalogue.
TOPICS = ("motor-neurons", "red-flags", "tests", "care-and-treatment", "appointment") + tuple(
    dict.fromkeys(measure.explainer for measure in catalogue.MEASURES.values()))
# Boxes: short pieces written once (content/<lang>/<box>.md) and shown on several pages. The
# emergency card shows the choking box too (templates/reports/_card_panel.html).
CHOKING_FIRST_AID = "choking-first-aid"
BOXES_ON_PAGE = {"choking_meals": (CHOKING_FIRST_AID,), "red-flags": (CHOKING_FIRST_AID,)}
BOXES = tuple(dict.fromkeys(box for boxes in BOXES_ON_PAGE.values() for box in boxes))


@dataclass(frozen=True)
class Explainer:
    slug: str
    language: str
    title: str
    summary: str
    reviewed: date
    sources: tuple
    html: str
    text: str  # the body as plain text, for search and reading-level checks


class TableCards(Treeprocessor):
    """Tables become cards on a phone (class "cards" in app.css): every cell names its column, as
    the explainers' tables set columns side by side (upper and lower motor neuron signs)."""

    def run(self, root):
        for table in root.iter("table"):
            headings = ["".join(th.itertext()).strip() for th in table.iterfind("thead/tr/th")]
            table.set("class", "cards")
            for row in table.iterfind("tbody/tr"):
                for heading, cell in zip(headings, row):
                    cell.set("data-label", heading)


class TableCardsExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(TableCards(md), "table_cards", 0)


def languages_with_content():
    return sorted(os.listdir(CONTENT_DIR))


@cache
def load(language, slug):
    """The explainer in that language, or None if it has not been written."""
    if not re.fullmatch(r"[a-z_-]+", slug) or not re.fullmatch(r"[a-zA-Z_]+", language):
        return None
    path = os.path.join(CONTENT_DIR, language, slug + ".md")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as source:
        raw = source.read()
    converter = markdown.Markdown(extensions=["meta", "tables", "sane_lists", TableCardsExtension()])
    html = converter.convert(raw)
    meta = {key: " ".join(values).strip() for key, values in converter.Meta.items()}
    body = raw.split("\n\n", 1)[1] if "\n\n" in raw else raw
    return Explainer(
        slug=slug,
        language=language,
        title=meta["title"],
        summary=meta.get("summary", ""),
        reviewed=date.fromisoformat(meta["reviewed"]),
        sources=tuple(s.strip() for s in meta.get("sources", "").split(";") if s.strip()),
        html=html,
        text=re.sub(r"[#*|>`_]|^\s*-+\s*", " ", body, flags=re.MULTILINE),
    )
