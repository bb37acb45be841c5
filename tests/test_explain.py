"""Explainers: one per catalogue symptom plus topic pages, plain, sourced, and medically careful."""
import re

import pytest
import textstat

from caregiver import catalogue
from caregiver.explain.content import BOXES, CHOKING_FIRST_AID, TOPICS, load

SLUGS = [s.explainer for s in catalogue.SYMPTOMS.values()] + list(TOPICS)
PIECES = SLUGS + list(BOXES)  # boxes too are plain, careful explainer text
NOT_MND = ("multiple sclerosis", "bell's palsy", "stroke", "parkinson")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_symptom_and_topic_has_an_english_explainer_with_sources(slug):
    page = load("en", slug)
    assert page is not None, f"caregiver/explain/content/en/{slug}.md is missing"
    assert page.title and page.summary and page.reviewed.year >= 2026
    assert page.sources
    assert "<h2>" in page.html


@pytest.mark.parametrize("slug", PIECES)
def test_explainers_are_plain_language(slug):
    assert textstat.flesch_kincaid_grade(load("en", slug).text) <= 8.0


@pytest.mark.parametrize("slug", PIECES)
def test_explainers_never_call_mimics_mnd_or_sell_stem_cells(slug):
    text = load("en", slug).text.lower()
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for mimic in NOT_MND:
            if re.search(rf"\b{mimic}\b", sentence):
                assert re.search(r"\bnot\b|n't|\bmimic|\bother\b|\brule", sentence), (slug, sentence)
        if "stem cell" in sentence or "stem-cell" in sentence:
            assert re.search(r"\bno\b|\bnot\b|n't|unproven|evidence", sentence), (slug, sentence)
    assert "cure" not in re.findall(r"[a-z]+", text)
    assert not re.search(r"https?://|www\.|\b\d{3}[ -]\d{3,4}[ -]\d{3,4}\b", text)  # no links or phone numbers


def test_symptom_pages_have_the_six_sections():
    for symptom in catalogue.SYMPTOMS.values():
        assert load("en", symptom.explainer).html.count("<h2>") == 6, symptom.key


def test_explainer_page_says_it_does_not_diagnose_and_lists_sources(client):
    page = client.get("/explain/cramps").get_data(as_text=True)
    assert page.count("does not diagnose") == 1
    assert "Sources:" in page and "Last reviewed:" in page
    assert "Lower motor neuron" in page


def test_explainers_are_searchable(client):
    page = client.get("/explain/?q=twitch").get_data(as_text=True)
    assert "/explain/twitching" in page.split("Start here")[0]
    assert "0 pages found" in client.get("/explain/?q=zzzzzz").get_data(as_text=True)


def test_every_symptom_links_to_its_explainer_where_it_is_logged(client, carer):
    _user, patient_id = carer
    assert 'href="/explain/cramps"' in client.get(f"/patients/{patient_id}/log/cramps").get_data(as_text=True)
    index = client.get("/explain/").get_data(as_text=True)
    for symptom in catalogue.SYMPTOMS.values():
        assert f'href="/explain/{symptom.explainer}"' in index
        assert client.get(f"/explain/{symptom.explainer}").status_code == 200


def test_the_motor_neuron_page_has_a_labelled_diagram(client):
    page = client.get("/explain/motor-neurons").get_data(as_text=True)
    assert page.count("<svg") == 1 and 'role="img"' in page and "<title" in page
    for label in ("Brain", "Spinal cord", "Muscle", "Upper motor neuron: from the brain"):
        assert label in page


def test_logging_a_red_flag_shows_the_contact_the_care_team_banner(client, carer):
    _user, patient_id = carer
    saved = client.post(f"/patients/{patient_id}/log/breathless_lying", data={})
    page = client.get(saved.location).get_data(as_text=True)
    assert "banner-danger" in page and "Worth telling the care team in the next few days." in page
    assert 'href="/explain/red-flags"' in page
    calm = client.post(f"/patients/{patient_id}/log/cramps", data={})
    assert "banner-danger" not in client.get(calm.location).get_data(as_text=True)
    fall = client.post(f"/patients/{patient_id}/new/event", data={
        "event_type": "fall", "injured": "y", "occurred_at": "2026-01-05T10:00", "source": "carer"})
    assert "saved=" in fall.location
    assert "Fall with injury: Worth telling the care team today." in client.get(fall.location).get_data(as_text=True)


def test_the_choking_first_aid_is_written_once_and_shown_on_the_choking_and_red_flag_pages(client):
    box = load("en", CHOKING_FIRST_AID)
    text = " ".join(box.text.split())
    assert "can cough, encourage them to keep coughing" in text
    assert "cannot breathe, speak or cough, call emergency services" in text
    assert "back blows" in text and "abdominal thrusts" in text and "call handler" in text
    for slug in ("choking_meals", "red-flags"):
        page = client.get(f"/explain/{slug}").get_data(as_text=True)
        assert page.count('class="box box-choking-first-aid"') == 1, slug
        assert page.count("up to 5 back blows") == 1, slug
    assert "back blows" not in client.get("/explain/cramps").get_data(as_text=True)
    assert client.get(f"/explain/{CHOKING_FIRST_AID}").status_code == 404  # a piece of pages, not a page
    # Written once: no explainer restates the first aid in its own words.
    for slug in SLUGS:
        assert "back blow" not in load("en", slug).text.lower(), slug


def test_the_choking_page_explains_laryngospasm_and_what_helps():
    text = " ".join(load("en", "choking_meals").text.split()).lower()
    assert "laryngospasm" in text and "within a minute or two" in text
    for helps in ("stay calm", "sit upright", "breathe in slowly through the nose"):
        assert helps in text, helps


def test_every_breathing_page_carries_the_oxygen_caution():
    breathing = [s.explainer for s in catalogue.SYMPTOMS.values() if "breathing" in s.groups]
    assert {"poor_sleep", "thick_mucus", "morning_headache"} <= set(breathing)
    for slug in dict.fromkeys(breathing):
        assert "oxygen" in load("en", slug).text.lower(), slug
