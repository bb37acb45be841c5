"""Trends page and the visit summary PDF, checked against numbers computed straight from the diary."""
import io
import re
from datetime import date, datetime, time, timedelta

import pdfplumber
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caregiver.extensions import db
from caregiver.clock import to_local, to_utc, utc_now
from caregiver import catalogue, maths
from caregiver.models import CheckInItem, Entry, Patient, ShareLink, ShareView
from caregiver.summary import build_summary
from caregiver.summary.charts import Series, line_chart

from .conftest import DEMO_TODAY, make_patient, make_user, sign_in

TZ = "Europe/London"
SINCE, UNTIL = DEMO_TODAY - timedelta(days=365), DEMO_TODAY - timedelta(days=1)
RANGE = f"range=custom&since={SINCE}&until={UNTIL}"


def facts_from_the_diary(app, patient_id):
    """The key numbers, queried directly rather than through build_summary."""
    since = to_utc(datetime.combine(SINCE, time()), TZ)
    until = to_utc(datetime.combine(UNTIL + timedelta(days=1), time()), TZ)
    with app.app_context():
        live = select(Entry).where(Entry.patient_id == patient_id, Entry.deleted_at.is_(None),
                                   Entry.occurred_at >= since, Entry.occurred_at < until)
        last_checkin = db.session.scalars(live.where(Entry.kind == "checkin").order_by(Entry.occurred_at.desc())).first()
        last_weight = db.session.scalars(live.where(Entry.kind == "weight").order_by(Entry.occurred_at.desc())).first()
        falls = db.session.scalar(select(func.count()).select_from(
            live.where(Entry.kind == "event", Entry.event_type == "fall").subquery()))
        days = {to_local(e.occurred_at, TZ).date() for e in db.session.scalars(live.where(Entry.kind != "question"))}
        return {"total": int(last_checkin.value), "weight": round(last_weight.value, 1), "falls": falls,
                "days": len(days)}


def page_one_facts_from_the_diary(app, patient_id):
    """What a neurologist wants on page 1, queried directly: the first and last check-in of the
    range, the items that got worse between them, the months since the first symptom, and the
    medicines taken at the end of the range and started or stopped within it."""
    since = to_utc(datetime.combine(SINCE, time()), TZ)
    until = to_utc(datetime.combine(UNTIL + timedelta(days=1), time()), TZ)
    with app.app_context():
        live = select(Entry).where(Entry.patient_id == patient_id, Entry.deleted_at.is_(None))
        in_range = live.where(Entry.occurred_at >= since, Entry.occurred_at < until)
        checkins = db.session.scalars(in_range.where(Entry.kind == "checkin").order_by(Entry.occurred_at)).all()
        first, last = checkins[0], checkins[-1]

        def scores(entry):
            return dict(db.session.execute(select(CheckInItem.domain, CheckInItem.score)
                                           .where(CheckInItem.entry_id == entry.id)).all())

        start_scores, end_scores = scores(first), scores(last)
        worse = [f"{catalogue.CHECKIN_DOMAINS[d].name} from {start_scores[d]} to {end_scores[d]}"
                 for d in start_scores if end_scores[d] < start_scores[d]]
        onset = db.session.get(Patient, patient_id).onset_month
        months = maths.months_between(datetime.combine(onset, time()),
                                      datetime.combine(to_local(last.occurred_at, TZ).date(), time()))
        medicines = db.session.scalars(live.where(Entry.kind == "medication", Entry.occurred_at < until)).all()
        current = [m.name for m in medicines if m.ended_on is None or m.ended_on > UNTIL]
        started = [m.name for m in medicines if m.occurred_at >= since]
        stopped = [m.name for m in medicines if m.ended_on and SINCE <= m.ended_on <= UNTIL]
        return {"start": int(first.value), "end": int(last.value), "worse": worse, "months": round(months, 1),
                "current": current, "changed": started + stopped}


def flat(text):
    """PDF text on one line: a phrase may wrap anywhere in the page's columns."""
    return re.sub(r"\s+", " ", text)


def test_page_one_holds_the_start_total_the_rate_formula_the_worse_items_and_the_medicines(app, client, demo):
    facts = page_one_facts_from_the_diary(app, demo)
    assert facts["worse"] and facts["current"] and facts["changed"]  # the demo has something of each
    page_one = PdfReader(io.BytesIO(pdf_for(client, demo, RANGE + "&language=en&paper=A4"))).pages[0].extract_text()
    text = flat(page_one)
    assert f"At the start of the range: {facts['start']} of 48" in text
    assert f"(48 − {facts['end']}) ÷ {facts['months']} months since the first symptom" in text
    assert "table after the charts" not in text
    for item in facts["worse"]:
        assert item in text, item
    assert "Medicines" in text
    for name in facts["current"] + facts["changed"]:
        assert name in text, name
    assert "Changed in this range:" in text


def test_trends_page_shows_the_same_start_total_formula_and_worse_items(app, client, demo):
    facts = page_one_facts_from_the_diary(app, demo)
    page = flat(client.get(f"/patients/{demo}/trends?{RANGE}").get_data(as_text=True))
    assert f"At the start of the range: {facts['start']} of 48" in page
    assert f"(48 − {facts['end']}) ÷ {facts['months']} months since the first symptom" in page
    for item in facts["worse"]:
        assert item in page, item


def pdf_for(client, patient_id, query):
    response = client.get(f"/patients/{patient_id}/report/summary.pdf?{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def test_page_one_of_the_pdf_holds_the_key_numbers(app, client, demo):
    facts = facts_from_the_diary(app, demo)
    document = pdf_for(client, demo, RANGE + "&language=en&paper=A4&notes=y&appendix=y")
    pages = PdfReader(io.BytesIO(document)).pages
    page_one = pages[0].extract_text()
    assert "Visit summary: Ravi" in page_one
    assert f"{facts['total']} of 48" in page_one
    assert f"Weight {facts['weight']} kg" in page_one
    assert f"Falls: {facts['falls']};" in page_one
    assert f"entries on {facts['days']} days" in page_one
    assert "Topics to discuss" in page_one and "The family's questions" in page_one
    assert "Red flags logged" in page_one
    assert 4 <= len(pages) <= 40
    assert "Change over time" in pages[1].extract_text()  # page one is one page


def test_pdf_pages_fonts_and_paper_sizes(app, client, demo):
    a4 = PdfReader(io.BytesIO(pdf_for(client, demo, RANGE + "&paper=A4"))).pages
    letter = PdfReader(io.BytesIO(pdf_for(client, demo, RANGE + "&paper=Letter"))).pages
    assert [round(float(v)) for v in a4[0].mediabox[2:]] == [595, 842]
    assert [round(float(v)) for v in letter[0].mediabox[2:]] == [612, 792]
    fonts = {str(font["/BaseFont"]) for page in a4 for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(re.search(r"\+Noto-?Sans(-Bold)?$", name) for name in fonts), fonts
    for page in a4:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object().get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font.get_object())["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))  # embedded


def test_no_text_runs_off_the_page(app, client, demo):
    with pdfplumber.open(io.BytesIO(pdf_for(client, demo, RANGE + "&notes=y&appendix=y"))) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert 0 <= char["x0"] and char["x1"] <= page.width + 0.5, (page.page_number, char["text"])
                assert 0 <= char["top"] and char["bottom"] <= page.height + 0.5, (page.page_number, char["text"])


def test_headers_and_footers_on_every_page(app, client, demo):
    pages = PdfReader(io.BytesIO(pdf_for(client, demo, RANGE + "&appendix=y"))).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "Ravi ·" in text and "not a clinical assessment" in text
        assert f"{number} / {len(pages)}" in text


def test_the_preview_shows_the_same_summary(app, client, demo):
    facts = facts_from_the_diary(app, demo)
    page = client.get(f"/patients/{demo}/report/preview?{RANGE}&language=en").get_data(as_text=True)
    assert f"{facts['total']} of 48" in page and f"Falls: {facts['falls']};" in page
    assert '<svg class="chart"' in page
    form = client.get(f"/patients/{demo}/report").get_data(as_text=True)
    assert 'formaction="/patients/' in form and "Since the last appointment" in form


def test_trends_page_shows_slope_stages_charts_and_tables(app, client, demo):
    page = client.get(f"/patients/{demo}/trends?{RANGE}").get_data(as_text=True)
    with app.app_context():
        patient = db.session.get(Patient, demo)
        since = to_utc(datetime.combine(SINCE, time()), TZ)
        until = to_utc(datetime.combine(UNTIL + timedelta(days=1), time()), TZ)
        summary = build_summary(patient, since, until, TZ)
    lost = -summary.function.slope  # one sign convention: points lost a month, as "since the first symptom"
    assert f"{round(abs(lost), 1)} points {'lost' if round(lost, 1) >= 0 else 'gained'} a month" in page
    assert re.search(r"King(&#39;|')s stage [1-4]", page) and re.search(r"MiToS stage [0-4]", page)
    assert page.count('<svg class="chart"') >= 5
    assert page.count("<table") >= 5  # a table of the numbers with each chart
    assert "Since the last appointment" in page
    assert client.get(f"/patients/{demo}/trends").status_code == 200  # default: since the last appointment


def test_summary_command_makes_the_same_pdf(app, demo, tmp_path):
    out = tmp_path / "summary.pdf"
    result = app.test_cli_runner().invoke(args=[
        "summary", "--patient", str(demo), "--since", str(SINCE), "--until", str(UNTIL), "--lang", "en",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{facts_from_the_diary(app, demo)['total']} of 48" in PdfReader(out).pages[0].extract_text()
    bad = app.test_cli_runner().invoke(args=["summary", "--patient", "999", "--since", "2026-01-01",
                                             "--until", "2026-02-01", "--out", str(out)])
    assert bad.exit_code != 0 and "no patient" in bad.output


def test_an_empty_diary_still_makes_a_summary(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner)
    sign_in(client)
    text = PdfReader(io.BytesIO(pdf_for(client, patient_id, "range=3"))).pages[0].extract_text()
    assert "No functional check-in in this range." in text and "entries on 0 days" in text
    assert client.get(f"/patients/{patient_id}/trends").status_code == 200


def add(app, patient_id, kind, days_ago, **fields):
    with app.app_context():
        db.session.add(Entry(patient_id=patient_id, kind=kind, tz=TZ,
                             occurred_at=utc_now() - timedelta(days=days_ago), **fields))
        db.session.commit()


def test_summary_numbers_on_a_hand_made_diary(app, ctx):
    owner = make_user(app)
    patient_id = make_patient(app, owner, usual_weight_kg=80.0, height_cm=180.0)
    add(app, patient_id, "visit", 30, name="Dr O")
    add(app, patient_id, "weight", 40, value=78.0)  # the weight at the last visit
    add(app, patient_id, "weight", 2, value=74.0)
    for days_ago in (50, 45):  # before the visit: twice, mild
        add(app, patient_id, "symptom", days_ago, symptom_key="cramps", severity=2)
    for days_ago in (20, 10, 5, 3):  # since: more often and worse
        add(app, patient_id, "symptom", days_ago, symptom_key="cramps", severity=6)
    add(app, patient_id, "symptom", 4, symptom_key="drooling", severity=3)  # new
    add(app, patient_id, "event", 6, event_type="fall", injured=True)
    patient = db.session.get(Patient, patient_id)
    visit = db.session.scalar(select(Entry).where(Entry.kind == "visit"))
    summary = build_summary(patient, utc_now() - timedelta(days=60), utc_now(), TZ, last_visit=visit)
    assert summary.weight.change_from_usual == pytest.approx(-7.5)
    assert summary.weight.change_from_visit == pytest.approx((74 - 78) / 78 * 100)
    assert summary.weight.bmi == pytest.approx(74 / 1.8 ** 2)
    assert {row.ref: row.trend for row in summary.symptoms} == {"cramps": "worse", "drooling": "new"}
    assert summary.counts.event_count("fall") == 1
    assert [flag.key for _entry, flag in summary.red_flags] == ["fall_injury"]
    assert [topic.key for topic in summary.topics] == ["nutrition", "falls", "saliva", "cramps_stiffness"]
    assert summary.days_with_entries == len({to_local(e.occurred_at, TZ).date() for e in summary.entries})


def test_chart_lines_break_at_gaps_in_the_diary():
    start = datetime(2026, 1, 1)
    points = tuple((start + timedelta(days=d), 40 - d / 10) for d in (0, 7, 14, 40, 47, 90))
    svg = str(line_chart([Series("total", points)], start=start, end=start + timedelta(days=100), low=0,
                         high=48, y_ticks=(0, 24, 48), x_labels=[(start, "Jan")], title="Total"))
    assert svg.count("<polyline") == 2  # days 0-14 and 40-47; day 90 stands alone
    assert svg.count("<circle") == 1
    assert 'role="img"' in svg and 'aria-label="Total"' in svg
    assert "<script" not in svg and "style=" not in svg


def test_a_share_link_shows_the_summary_without_an_account_and_logs_every_view(app, client, demo):
    facts = facts_from_the_diary(app, demo)
    made = client.post(f"/patients/{demo}/report/links?{RANGE}&language=en", data={"days": "7"})
    assert made.status_code == 302
    with app.app_context():
        link = db.session.scalar(select(ShareLink))
        token, link_id = link.token, link.id
        assert link.options["range"] == "custom" and (link.expires_at - utc_now()).days == 6
    clinic = app.test_client()  # no account
    page = clinic.get(f"/shared/{token}")
    assert page.status_code == 200 and f"{facts['total']} of 48" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]
    document = clinic.get(f"/shared/{token}/summary.pdf")
    text = PdfReader(io.BytesIO(document.data)).pages[0].extract_text()
    assert f"/shared/{token}" in text.replace("\n", "")  # the address is printed beside its QR code
    assert 'class="qr"' in page.get_data(as_text=True)
    owners_pdf = client.get(f"/patients/{demo}/report/links/{link_id}/summary.pdf")
    assert owners_pdf.status_code == 200 and f"{facts['total']} of 48" in PdfReader(
        io.BytesIO(owners_pdf.data)).pages[0].extract_text()
    with app.app_context():
        assert [view.format for view in db.session.scalars(select(ShareView).order_by(ShareView.id))] == ["html", "pdf"]
    listing = client.get(f"/patients/{demo}/report/links").get_data(as_text=True)
    assert f"/shared/{token}" in listing and "Opened 2 times" in listing


def test_withdrawn_expired_and_made_up_links_show_nothing(app, client, demo):
    client.post(f"/patients/{demo}/report/links?range=3", data={"days": "1"})
    with app.app_context():
        link = db.session.scalar(select(ShareLink))
        token, link_id = link.token, link.id
    clinic = app.test_client()
    assert clinic.get(f"/shared/{token}").status_code == 200
    client.post(f"/patients/{demo}/report/links/{link_id}/revoke")
    for url in (f"/shared/{token}", f"/shared/{token}/summary.pdf", "/shared/made-up", "/shared/" + "x" * 300):
        response = clinic.get(url)
        assert response.status_code == 410 and "Ravi" not in response.get_data(as_text=True), url
    with app.app_context():
        link = db.session.get(ShareLink, link_id)
        link.revoked_at, link.expires_at = None, utc_now() - timedelta(minutes=1)
        db.session.commit()
    assert clinic.get(f"/shared/{token}").status_code == 410
    assert client.get(f"/patients/{demo}/report/links/{link_id}/summary.pdf").status_code == 404


def pdf_words(document):
    """Every page's text, with line breaks and runs of spaces as single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split())


def make_link(app, client, patient_id, query, **choices):
    """A share link made on the form with these choices (ticked boxes); its token."""
    assert client.post(f"/patients/{patient_id}/report/links?{query}", data={"days": "7", **choices}).status_code == 302
    with app.app_context():
        return db.session.scalars(select(ShareLink).order_by(ShareLink.id.desc())).first().token


def test_a_share_link_shows_names_and_coping_only_when_chosen_and_questions_unless_unticked(app, client, demo):
    form = client.get(f"/patients/{demo}/report/links?{RANGE}").get_data(as_text=True)
    assert '<input checked id="shows_questions"' in form
    assert '<input id="shows_names"' in form and '<input id="shows_coping"' in form
    by_default = make_link(app, client, demo, RANGE, shows_questions="y")
    everything = make_link(app, client, demo, RANGE, shows_questions="y", shows_names="y", shows_coping="y")
    nothing = make_link(app, client, demo, RANGE)
    clinic = app.test_client()
    seen = {}
    for name, token in (("by_default", by_default), ("everything", everything), ("nothing", nothing)):
        page = " ".join(clinic.get(f"/shared/{token}").get_data(as_text=True).split())
        seen[name] = (page, pdf_words(clinic.get(f"/shared/{token}/summary.pdf").data))
    team_names, coping, question = ("Entered by:", "Arjun"), "Carer coping:", "Should we discuss a feeding tube now?"
    for page_or_pdf in seen["by_default"]:
        assert not any(marker in page_or_pdf for marker in (*team_names, coping)) and question in page_or_pdf
    for page_or_pdf in seen["everything"]:
        assert all(marker in page_or_pdf for marker in (*team_names, coping, question))
    for page_or_pdf in seen["nothing"]:
        assert not any(marker in page_or_pdf for marker in (*team_names, coping, question, "None written down."))
    # The owner's printout of a link, with its QR code, is the clinic's summary too.
    with app.app_context():
        link_id = db.session.scalar(select(ShareLink.id).where(ShareLink.token == by_default))
    printout = pdf_words(client.get(f"/patients/{demo}/report/links/{link_id}/summary.pdf").data)
    assert "Arjun" not in printout and coping not in printout and question in printout
    listing = " ".join(client.get(f"/patients/{demo}/report/links").get_data(as_text=True).split())
    assert listing.count("It shows the family") == 2 and listing.count("It shows the summary only.") == 1
    assert listing.count("how the carer is coping.") == 1  # the box on the form says it too, without "It shows"


def test_a_links_pdf_is_throttled_per_link_and_its_page_is_not(app, client, carer, throttled):
    _user_id, patient_id = carer
    add(app, patient_id, "symptom", 3, symptom_key="cramps", severity=4)
    busy, other = make_link(app, client, patient_id, "range=1"), make_link(app, client, patient_id, "range=1")
    clinic = app.test_client()
    answers = [clinic.get(f"/shared/{busy}/summary.pdf").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]
    refused = clinic.get(f"/shared/{busy}/summary.pdf").get_data(as_text=True)
    assert "asked for many times in the last hour" in refused and "signing in" not in refused
    assert clinic.get(f"/shared/{other}/summary.pdf").status_code == 200  # another link has its own count
    assert clinic.get(f"/shared/{busy}").status_code == 200


def days_covered(page):
    return int(re.search(r"entries on \d+ days? of (\d+)", " ".join(page.split())).group(1))


def test_a_link_covers_the_range_it_was_made_for_and_never_decades_before_the_diary(app, client, carer):
    _user_id, patient_id = carer
    add(app, patient_id, "symptom", 10, symptom_key="cramps", severity=4)
    add(app, patient_id, "symptom", 2, symptom_key="cramps", severity=5)
    since_1900 = make_link(app, client, patient_id, "range=custom&since=1900-01-01")
    last_month = make_link(app, client, patient_id, "range=1")
    clinic = app.test_client()
    assert days_covered(clinic.get(f"/shared/{since_1900}").get_data(as_text=True)) <= 12  # from the first entry
    asking_for_more = "?range=custom&since=1900-01-01&appendix=y"
    page = clinic.get(f"/shared/{last_month}{asking_for_more}").get_data(as_text=True)
    document = pdf_words(clinic.get(f"/shared/{last_month}/summary.pdf{asking_for_more}").data)
    for text in (page, document):  # the link's own range and choices, whatever the address asks for
        assert days_covered(text) <= 31 and "Appendix" not in text


def card_text(client, patient_id):
    response = client.get(f"/patients/{patient_id}/emergency-card.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return pages, "\n".join(page.extract_text() for page in pages)


def test_the_emergency_card_is_one_page_with_the_oxygen_caution_and_current_medicines(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner, breathing_support="niv", feeding_tube=True, birth_year=1958,
                              allergies="Penicillin", emergency_contacts="Priya (wife) 07700 900123",
                              niv_settings_holder="Respiratory team, City Hospital")
    add(app, patient_id, "medication", 30, name="Riluzole", dose="50 mg twice a day")
    add(app, patient_id, "medication", 300, name="Quinine", ended_on=date(2020, 1, 1))  # stopped: not on the card
    sign_in(client)
    pages, text = card_text(client, patient_id)
    assert len(pages) == 1
    flat = " ".join(text.split())
    for expected in ("motor neuron disease", "carbon dioxide", "specialist advice", "Riluzole 50 mg twice a day",
                     "Penicillin", "Priya (wife) 07700 900123", "Respiratory team, City Hospital",
                     "Feeding tube: yes", "Mask ventilation (NIV)", "born 1958",
                     # the choking first aid, written once for the explainers and the card
                     "If someone is choking", "If they can cough, encourage them", "up to 5 back blows"):
        assert expected in flat, expected
    assert "Quinine" not in flat
    assert "carbon dioxide" in client.get(f"/patients/{patient_id}/emergency-card").get_data(as_text=True)


def test_a_full_emergency_card_still_fits_one_page(app, client):
    owner = make_user(app)
    patient_id = make_patient(app, owner, breathing_support="niv", allergies="A" * 60 + " " + "b" * 400,
                              emergency_contacts="\n".join(f"Contact {n}, neighbour, 0123 456 789" for n in range(12)),
                              niv_settings_holder="N" * 200, neurologist="Dr " + "X" * 100, clinic="C" * 120)
    for n in range(12):
        add(app, patient_id, "medication", 10 + n, name=f"Medicine number {n}", dose="10 mg three times a day")
    sign_in(client)
    pages, text = card_text(client, patient_id)
    assert len(pages) == 1
    assert "Medicine number 11" in text and "Contact 11" in text
    assert "abdominal thrusts" in " ".join(text.split())


CAVEAT = "These stages were tested only in ALS"


@pytest.mark.parametrize("diagnosis, stages, caveat", [
    ("als", True, False), ("pls", True, True), ("pma", True, True), ("pbp", True, True),
    ("undiagnosed", True, True), ("other", False, False),
])
def test_the_stages_show_only_for_als_or_with_a_caveat_on_trends_and_the_pdf(app, client, demo, diagnosis, stages,
                                                                            caveat):
    with app.app_context():
        db.session.get(Patient, demo).diagnosis = diagnosis
        db.session.commit()
    trends = " ".join(client.get(f"/patients/{demo}/trends?{RANGE}").get_data(as_text=True).split())
    preview = " ".join(client.get(f"/patients/{demo}/report/preview?{RANGE}&language=en").get_data(as_text=True)
                       .split())
    page_one = " ".join(PdfReader(io.BytesIO(pdf_for(client, demo, RANGE + "&language=en"))).pages[0]
                        .extract_text().split())
    for text in (trends, preview, page_one):
        assert bool(re.search(r"King(&#39;|’|')s stage (1|2|3|4A|4B)", text)) == stages
        assert (CAVEAT in text) == caveat
        assert ("Stages not estimated" in text) == (not stages)


def test_the_summary_topics_follow_the_profile(app, client, demo):
    """With a feeding tube and NIV in place, the summary asks about living with them, not whether."""
    query = RANGE + "&language=en"

    def topics_shown():
        page = client.get(f"/patients/{demo}/report/preview?{query}").get_data(as_text=True)
        return " ".join(page.split("Topics to discuss", 1)[1].split("</section>", 1)[0].split())

    def profile(feeding_tube, breathing_support):
        with app.app_context():
            patient = db.session.get(Patient, demo)
            patient.feeding_tube, patient.breathing_support = feeding_tube, breathing_support
            db.session.commit()
        return topics_shown()

    before = profile(False, "none")
    assert "whether a feeding tube would help" in before
    after = profile(True, "niv")
    assert "Living with the feeding tube" in after and "whether a feeding tube would help" not in after
    assert ("Using NIV" in after) == ("Breathing tests and breathing support" in before)


@pytest.mark.parametrize("language", ["ar", "ta"])
def test_a_full_card_with_the_choking_first_aid_fits_one_page_in_a_long_script(app, client, language):
    """The choking box sits in both halves of the card (the family's language and English)."""
    owner = make_user(app)
    patient_id = make_patient(app, owner, breathing_support="niv", feeding_tube=True, allergies="Penicillin",
                              emergency_contacts="\n".join(f"Contact {n}, 0123 456 789" for n in range(6)),
                              niv_settings_holder="Respiratory team, City Hospital")
    for n in range(6):
        add(app, patient_id, "medication", 10 + n, name=f"Medicine {n}", dose="10 mg three times a day")
    sign_in(client)
    client.post("/language", data={"lang": language, "next": "/"})
    html = client.get(f"/patients/{patient_id}/emergency-card").get_data(as_text=True)
    assert html.count('class="box box-choking-first-aid"') == 2
    pages, text = card_text(client, patient_id)
    assert len(pages) == 1 and "up to 5 back blows" in " ".join(text.split())


def test_pdfs_made_at_once_by_several_threads_are_each_whole(app):
    """A PDF is laid out in a child forked for it (documents.html_to_pdf); one process with threads
    (gunicorn without a shared store) forks for several at once, and each comes back whole."""
    from concurrent.futures import ThreadPoolExecutor

    from caregiver import documents

    def made(name):
        with app.app_context():
            return documents.html_to_pdf(f"<h1>{name}</h1><p>{'word ' * 400}</p>")

    names = [f"Document {n}" for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as threads:
        pdfs = list(threads.map(made, names))
    for name, pdf in zip(names, pdfs):
        assert name in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()



def test_an_error_in_the_pdfs_child_is_raised_in_the_request(app):
    """What fails in the child comes back to the request (a 500, with its traceback logged): never
    a hang or an empty document."""
    from caregiver import documents

    with app.app_context(), pytest.raises(TypeError):
        documents.html_to_pdf(None)  # WeasyPrint's HTML() refuses a document without a source
