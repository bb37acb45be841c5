"""Every screen works on a 360x640 phone with one thumb: 44 px targets, 16 px text, no sideways scroll."""
from datetime import timedelta

from caregiver.extensions import db
from caregiver.clock import utc_now
from caregiver.models import CheckInItem, Entry, Invite

from ..conftest import PASSWORD, make_patient, make_user

# Collects what a person with weak hands or tired eyes would trip over on the current page.
PROBLEMS_ON_PAGE = """() => {
  const problems = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 1 && box.height > 1 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) problems.push(`scrolls sideways: ${root.scrollWidth}px`);
  const targets = document.querySelectorAll([
    'button', 'select', 'textarea', 'summary',
    'input:not([type=hidden]):not([type=radio]):not([type=checkbox])',
    'label.choice', '.checkbox label', 'a.button', 'a.button-secondary', '.quick-button', '.tabs a',
    '.card-link', '.link-list a', '.add-list a', '.top-bar a', '.entry a',
    '.clinic-nav a', '.filter-chips a', '.sort-links a', '.row-links a', '.family-row h2 a',
  ].join(','));
  for (const el of targets) {
    if (!visible(el) || el.classList.contains('skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      problems.push(`small target <${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 30)}" ` +
                    `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (!text || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) problems.push(`small text ${size}px "${text.slice(0, 30)}"`);
  }
  return problems;
}"""


def make_diary(app):
    owner = make_user(app, "owner@example.org", "Priya")
    patient_id = make_patient(app, owner, name="Ravi Kumar Subramanian", onset_region="arm")
    with app.app_context():
        now = utc_now()
        checkin = Entry(patient_id=patient_id, kind="checkin", value=40, occurred_at=now - timedelta(days=1),
                        reported_by_id=owner)
        checkin.checkin_items = [CheckInItem(domain=d, score=3 if i % 3 else 4) for i, d in enumerate((
            "speech", "saliva", "swallowing", "handwriting", "cutting", "dressing", "turning", "walking",
            "stairs", "dyspnoea", "orthopnoea", "breathing_support"))]
        symptom = Entry(patient_id=patient_id, kind="symptom", symptom_key="cramps", region="calf", side="right",
                        severity=6, occurred_at=now - timedelta(hours=2), reported_by_id=owner,
                        note="A very long note without spaces " + "x" * 120)
        db.session.add_all([
            checkin, symptom,
            Entry(patient_id=patient_id, kind="visit", name="Dr A. Okafor", occurred_at=now - timedelta(days=30),
                  reported_by_id=owner),
            Entry(patient_id=patient_id, kind="medication", name="Riluzole", dose="50 mg twice a day",
                  occurred_at=now - timedelta(days=300), reported_by_id=owner),
            Entry(patient_id=patient_id, kind="question", note="Should we talk about a feeding tube?",
                  occurred_at=now, reported_by_id=owner),
            Invite(patient_id=patient_id, role="log", expires_at=now + timedelta(days=3)),
        ])
        db.session.commit()
        return patient_id, symptom.id, checkin.id


def sign_in_on(phone, live_server, patient_id):
    phone.goto(live_server + "/account/signin")
    phone.fill("#email", "owner@example.org")
    phone.fill("#password", PASSWORD)
    phone.click("main button[type=submit], main input[type=submit]")
    phone.wait_for_url(f"**/patients/{patient_id}/")


ANONYMOUS_SCREENS = ["/", "/account/signin", "/account/signup", "/explain/"]


def signed_in_screens(patient_id, symptom_id, checkin_id):
    """Every screen of make_diary's diary, for the tests that walk them all."""
    base = f"/patients/{patient_id}"
    return [
        f"{base}/", f"{base}/log", f"{base}/log/cramps", f"{base}/log/weakness", f"{base}/history",
        f"{base}/history?group=lmn", f"{base}/entries/{symptom_id}", f"{base}/entries/{checkin_id}",
        f"{base}/entries/{symptom_id}/edit", f"{base}/medications", f"{base}/visits", f"{base}/questions",
        f"{base}/deleted", f"{base}/profile", f"{base}/team", f"{base}/edit", "/account/settings",
        "/account/password", "/patients/new", f"{base}/trends", f"{base}/trends?range=12", f"{base}/report",
    ] + [f"{base}/new/{kind}" for kind in
         ("symptom", "event", "weight", "niv", "checkin", "carer", "medication", "visit")]


def test_every_screen_fits_a_phone(app, live_server, phone):
    for path in ANONYMOUS_SCREENS:
        phone.goto(live_server + path)
        assert phone.evaluate(PROBLEMS_ON_PAGE) == [], path

    patient_id, symptom_id, checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)

    for path in signed_in_screens(patient_id, symptom_id, checkin_id):
        response = phone.goto(live_server + path)
        assert response.status == 200, path
        assert phone.evaluate(PROBLEMS_ON_PAGE) == [], path
        if path.endswith("/history"):
            phone.click(".filters summary")  # the filters, opened
            assert phone.evaluate(PROBLEMS_ON_PAGE) == [], path + " with filters open"


def test_quick_log_by_thumb(app, live_server, phone):
    """Symptom, then place: two taps, and the saved banner offers details and undo."""
    patient_id, _symptom_id, _checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    phone.get_by_role("link", name="Cramps", exact=True).tap()
    phone.get_by_role("button", name="right calf", exact=True).tap()
    banner = phone.locator(".banner-success")
    assert "Saved: Cramps, right calf" in banner.inner_text()
    assert phone.evaluate(PROBLEMS_ON_PAGE) == []
    banner.get_by_role("button", name="Undo").tap()
    assert "Deleted: Cramps, right calf" in phone.locator(".banner-info").inner_text()


def test_screens_reflow_at_320_px_as_at_400_percent_zoom(app, live_server, browser):
    """WCAG reflow: nothing scrolls sideways at 320 CSS px (a desktop at 400 %, a phone at 200 %)."""
    patient_id, symptom_id, _checkin_id = make_diary(app)
    context = browser.new_context(viewport={"width": 320, "height": 568})
    page = context.new_page()
    sign_in_on(page, live_server, patient_id)
    base = f"/patients/{patient_id}"
    for path in (f"{base}/", f"{base}/log/cramps", f"{base}/history", f"{base}/entries/{symptom_id}",
                 f"{base}/new/checkin", f"{base}/trends", f"{base}/report", "/explain/motor-neurons"):
        for language in ("en", "ta"):
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, language)
    context.close()


def test_the_clinic_screens_fit_a_phone(app, live_server, phone):
    """The dashboard and a family's page, for a nurse on the ward's phone; the family's consent pages."""
    from sqlalchemy import select

    from caregiver import clinics
    from caregiver.models import Alert, Patient, User

    patient_id, _symptom_id, _checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)  # before the clinic: with one, sign-in lands on the list
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
        clinic = clinics.create_clinic("Sheffield Motor Neurone Disease Care Centre", owner)
        clinics.link_clinic(db.session.get(Patient, patient_id), clinic, owner, True)
        db.session.add(Alert(patient_id=patient_id, key="choking:phone", rule="choking", level="urgent",
                             open_for=f"{patient_id}:choking"))
        db.session.commit()
        clinic_id, code = clinic.id, clinic.link_code
        staff = clinic.staff[0]
        clinics.ask_family(staff, patient_id, "Please weigh him weekly, and bring your questions to the visit.")
    family = f"/clinic/{clinic_id}/families/{patient_id}"
    for path in (f"/clinic/{clinic_id}/", f"/clinic/{clinic_id}/?show=alerts", f"{family}/", f"{family}/trends",
                 f"{family}/history", f"/clinic/{clinic_id}/staff", f"/clinic/{clinic_id}/settings",
                 f"/patients/{patient_id}/clinics", f"/patients/{patient_id}/clinics/consent?code={code}",
                 f"/patients/{patient_id}/"):
        response = phone.goto(live_server + path)
        assert response.status == 200, path
        assert phone.evaluate(PROBLEMS_ON_PAGE) == [], path
    assert "Please weigh him weekly" in phone.inner_text("main")


def test_the_choking_first_aid_box_reads_on_a_phone(live_server, phone):
    """The box on the choking and red-flag pages: within the screen, large enough, in a mirrored script too."""
    for path in ("/explain/choking_meals", "/explain/red-flags", "/explain/red-flags?lang=ar"):
        phone.goto(live_server + path)
        assert phone.evaluate(PROBLEMS_ON_PAGE) == [], path
        box = phone.locator(".box-choking-first-aid")
        assert box.is_visible(), path
        place = box.bounding_box()
        assert place["x"] >= 0 and place["x"] + place["width"] <= 360, (path, place)
        # In English, and in Arabic once translated (no English left in it).
        assert ("back blows" in box.inner_text()) == (not path.endswith("lang=ar")), path


def test_an_entry_that_raised_an_alert_keeps_its_row_readable(app, live_server, phone):
    """The alert's link goes on a line of its own: beside the entry, its long Tamil text squeezed
    the entry to a letter a line."""
    from datetime import datetime

    patient_id, _symptom_id, _checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    phone.goto(f"{live_server}/patients/{patient_id}/new/event")
    phone.check("input[name=event_type][value=choking]")
    phone.fill("#occurred_at", datetime.now().strftime("%Y-%m-%dT%H:%M"))
    with phone.expect_navigation():
        phone.click("main [type=submit]")
    alert_id = phone.locator(".alert-card a, a[href*='/alerts/']").first.get_attribute("href").rsplit("/", 1)[-1]
    for path in (f"/patients/{patient_id}/history", f"/patients/{patient_id}/alerts/{alert_id}"):
        for language in ("ta", "ar", "en"):
            phone.goto(f"{live_server}{path}?lang={language}")
            row = phone.locator("li.entry-event").first
            width = row.bounding_box()["width"]
            assert phone.locator("li.entry-event .entry-main").first.bounding_box()["width"] > width * 0.7, \
                (path, language)
            if path.endswith("/history"):
                assert row.locator(".entry-alert").bounding_box()["width"] > width * 0.9, language
            assert phone.evaluate(PROBLEMS_ON_PAGE) == [], (path, language)
