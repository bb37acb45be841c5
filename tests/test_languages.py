"""Every screen, explainer and PDF in every shipped language: complete catalogues, no English left
in a translated page, the right lang/dir, the report in a language of its own, real fonts."""
import io
import os
import re
import subprocess
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader
from sqlalchemy import select

from caregiver.explain.content import BOXES, TOPICS, load
from caregiver import catalogue
from caregiver import clinics
from caregiver import tokens as tokens_module
from caregiver.extensions import db
from caregiver.i18n import LANGUAGES
from caregiver.models import Entry, Patient, ShareLink, User
from caregiver.clock import utc_now

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATED = [language.code for language in LANGUAGES if language.code != "en"]
# A character of each language's own script, by Unicode block (Latin languages: their accents).
SCRIPTS = {"hi": "\u0900-\u097f", "bn": "\u0980-\u09ff", "ta": "\u0b80-\u0bff", "ar": "\u0600-\u06ff",
           "es": "áéíóúñ", "fr": "éèàçê", "pt_BR": "ãçéõá"}
FONTS = {"hi": "NotoSansDevanagari", "bn": "NotoSansBengali", "ta": "NotoSansTamil", "ar": "NotoSansArabic"}


def catalogue_of(code):
    with open(os.path.join(ROOT, "translations", code, "LC_MESSAGES", "messages.po"), "rb") as source:
        return read_po(source, locale=code)


def message_ids(messages):
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_is_complete_fresh_and_valid(code):
    messages = catalogue_of(code)
    missing = [m.id for m in messages if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, (list, tuple)) else [m.string]))]
    assert missing == [], f"{code}: {len(missing)} untranslated or fuzzy, e.g. {missing[:3]}"
    with open(os.path.join(ROOT, "translations", "messages.pot"), "rb") as source:
        assert message_ids(messages) == message_ids(read_po(source)), "run: flask --app app translate update"
    path = os.path.join(ROOT, "translations", code, "LC_MESSAGES", "messages.po")
    check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, path], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_explainer_exists_in_every_language_with_its_sources(code):
    for slug in [s.explainer for s in catalogue.SYMPTOMS.values()] + list(TOPICS) + list(BOXES):
        english, page = load("en", slug), load(code, slug)
        assert page is not None, f"caregiver/explain/content/{code}/{slug}.md is missing"
        assert page.sources == english.sources and page.reviewed == english.reviewed
        assert page.html.count("<h2>") == english.html.count("<h2>"), slug
        assert re.search(f"[{SCRIPTS[code]}]", page.text), slug


class VisibleText(HTMLParser):
    """The text a reader sees (and labels a screen reader reads), without scripts and styles."""

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_fragments(code):
    """Pieces of English interface text that a page in `code` must not show: the parts of each
    message between placeholders, where the translation differs from the English."""
    fragments = set()
    for message in catalogue_of(code):
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        for piece in re.split(r"%\([a-z_]+\)[sd]", message.id):
            piece = " ".join(piece.split()).strip(" .,:;()·")
            if len(piece) >= 14 and " " in piece:
                fragments.add(piece)
    return fragments


def pages_of(app, patient_id):
    """Every GET page of the app, filled with the demo patient's ids (PDFs have their own test)."""
    with app.app_context():
        entry = db.session.scalar(select(Entry.id).where(Entry.patient_id == patient_id, Entry.kind == "symptom"))
        link = ShareLink(patient_id=patient_id, options={"range": "3"}, expires_at=utc_now().replace(year=2100))
        db.session.add(link)
        db.session.commit()
        values = {"patient_id": patient_id, "entry_id": entry, "ref": "cramps", "kind": "symptom",
                  "slug": "motor-neurons", "token": link.token, "link_id": link.id}
        demo_user = db.session.scalar(select(User).where(User.email == "demo@example.org"))
        # The demo carer also runs a clinic that follows the diary (with its history), so that the
        # clinic's pages are walked in every language too.
        clinic = clinics.create_clinic("Clinic", demo_user)
        clinics.link_clinic(db.session.get(Patient, patient_id), clinic, demo_user, True)
        staff_invite = clinics.invite_staff(clinic, demo_user, None, "clinician", "nurse")
        values["clinic_id"] = clinic.id
        # The links sent by e-mail carry tokens of their own (the confirm link may be used again by
        # the address it confirmed).
        tokens = {"auth.reset_password": tokens_module.reset_token(demo_user),
                  "auth.confirm_email": tokens_module.confirm_token(demo_user, demo_user.email),
                  "clinic.join": staff_invite.token}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "main.healthz", "diary.recording") \
                or rule.rule.endswith(".pdf") \
                or rule.endpoint == "patients.accept_invite" or rule.arguments - values.keys():
            continue
        own = dict(values, token=tokens.get(rule.endpoint, values["token"]))
        urls.append(rule.build({k: v for k, v in own.items() if k in rule.arguments})[1])
    return sorted(set(urls + ["/patients/new", "/explain/?q=a", f"/patients/{patient_id}/new/checkin",
                              "/account/reset/not-a-link",
                              *(f"/patients/{patient_id}/new/measure?measure={key}" for key in catalogue.MEASURES),
                              f"/patients/{patient_id}/report/preview?range=12"]))


def test_every_page_in_every_language_is_translated_with_the_right_direction(app, client, demo):
    urls = pages_of(app, demo)
    assert len(urls) >= 25
    for language in LANGUAGES:
        with app.app_context():
            db.session.scalar(select(User).where(User.email == "demo@example.org")).locale = language.code
            db.session.commit()
        fragments = english_fragments(language.code) if language.code != "en" else set()
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == (410 if "not-a-link" in url else 200), (language.code, url,
                                                                                  response.status_code)
            if response.mimetype != "text/html":
                continue  # the manifest and the service worker have tests of their own
            html = response.get_data(as_text=True)
            direction = "rtl" if language.rtl else "ltr"
            assert f'lang="{language.code.replace("_", "-")}" dir="{direction}"' in html, (language.code, url)
            # The emergency card carries an English copy beside the family's language, on purpose.
            text = visible_text(re.sub(r'<div class="card-column" lang="en".*?</section>\s*</div>', "", html, flags=re.S))
            english = sorted(fragment for fragment in fragments if fragment in text)
            assert english == [], (language.code, url, english[:5])


def test_signed_out_pages_follow_the_language_order(app, client):
    def lang_of(response):
        return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)

    assert lang_of(client.get("/account/signin")) == "en"
    assert lang_of(client.get("/account/signin", headers={"Accept-Language": "ta-IN,ta;q=0.9"})) == "ta"
    assert lang_of(client.get("/account/signin", headers={"Accept-Language": "pt-PT"})) == "pt-BR"
    assert lang_of(client.get("/account/signin?lang=ar", headers={"Accept-Language": "ta"})) == "ar"
    # ?lang= is remembered in a cookie, and the cookie beats Accept-Language
    assert lang_of(client.get("/explain/", headers={"Accept-Language": "ta"})) == "ar"
    client.post("/language", data={"lang": "bn", "next": "/explain/"})
    assert lang_of(client.get("/explain/")) == "bn"
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_a_saved_preference_wins_and_the_switcher_saves_it(app, client, carer):
    user_id, _patient_id = carer
    client.post("/language", data={"lang": "hi", "next": "/patients/"})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "hi"
    page = client.get("/account/settings?lang=fr", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="hi" dir="ltr">' in page
    assert "हिन्दी" in page and "العربية" in page and "தமிழ்" in page and "বাংলা" in page  # the switcher


def pdf_fonts(pages):
    return {str(font["/BaseFont"]).replace("-", "") for page in pages for font in page["/Resources"]["/Font"].values()}


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_summary_and_the_card_print_in_each_language_with_its_own_fonts(app, client, demo, code):
    response = client.get(f"/patients/{demo}/report/summary.pdf?range=3&language={code}&notes=y")
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = " ".join(page.extract_text() for page in pages)
    assert len(re.findall(f"[{SCRIPTS[code]}]", text)) > 50, code
    assert "Visit summary" not in text and "Topics to discuss" not in text
    fonts = pdf_fonts(pages)
    assert all("NotoSans" in name for name in fonts), fonts
    if code in FONTS:
        assert any(FONTS[code] in name for name in fonts), fonts
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "demo@example.org")).locale = code
        db.session.commit()
    card = PdfReader(io.BytesIO(client.get(f"/patients/{demo}/emergency-card.pdf").data)).pages
    card_text = card[0].extract_text()
    assert len(card) == 1 and re.search(f"[{SCRIPTS[code]}]", card_text)
    assert "motor neuron disease" in card_text  # English beside the family's language


def test_the_report_has_its_own_language_choice(app, client, demo):
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "demo@example.org")).locale = "ta"
        db.session.commit()
    form = client.get(f"/patients/{demo}/report").get_data(as_text=True)
    assert re.search(r'<option selected value="ta">|<option value="ta" selected', form)
    english = PdfReader(io.BytesIO(client.get(
        f"/patients/{demo}/report/summary.pdf?range=3&language=en").data)).pages[0].extract_text()
    assert "Visit summary: Ravi" in english and not re.search("[\u0b80-\u0bff]", english)


def test_the_familys_own_text_keeps_its_own_direction(app, client, carer):
    """An English question on an Arabic page, an Arabic note on an English one."""
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/questions", data={"note": "Is the cough worse at night?"})
    client.post(f"/patients/{patient_id}/questions", data={"note": "هل السعال أسوأ في الليل؟"})
    page = client.get(f"/patients/{patient_id}/questions?lang=ar").get_data(as_text=True)
    assert '<p class="note" dir="ltr">Is the cough' in page and '<p class="note" dir="rtl">هل' in page
    preview = client.get(f"/patients/{patient_id}/report/preview?range=1&language=ar").get_data(as_text=True)
    assert '<li dir="ltr">Is the cough worse at night?</li>' in preview
