"""No word is broken inside itself on a 360 px phone ("Cram ps", "fasci culati ons"), in English,
Tamil (long words) and Arabic (right to left)."""
from .test_phone_layout import ANONYMOUS_SCREENS, make_diary, sign_in_on, signed_in_screens

LANGUAGES = ("en", "ta", "ar")  # Latin, long Tamil words, right to left

# Every word (text between spaces, hyphens, slashes and dots) of the visible text, measured with a
# Range: a word whose boxes sit on two lines was broken inside itself. A word wider than its
# whole box (a pasted link, a note typed without spaces) has to break, and is left alone.
BROKEN_WORDS = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const separators = /[^\s\-\/·–—]+/gu;
  // Text for screen readers only sits in a box of 1 px (.visually-hidden): not seen, not broken.
  const hidden = (el) => {
    for (let box = el; box; box = box.parentElement) {
      const rect = box.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) return true;
    }
    return false;
  };
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const holder = node.parentElement;
    if (!holder || !holder.getClientRects().length || holder.closest('script, style, option, svg') || hidden(holder)) continue;
    const room = holder.closest('td, th, li, p, dd, dt, div, label, a, button, summary, span')?.clientWidth
      || document.documentElement.clientWidth;
    for (const match of node.textContent.matchAll(separators)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const boxes = [...range.getClientRects()].filter((box) => box.width > 0 && box.height > 0);
      if (boxes.length < 2) continue;
      const width = boxes.reduce((sum, box) => sum + box.width, 0);
      if (width >= room) continue;
      boxes.sort((a, b) => a.top - b.top);
      const lines = boxes.filter((box, i) => i === 0 || box.top >= boxes[i - 1].bottom - 1).length;
      if (lines > 1) broken.push(`"${match[0]}" on ${lines} lines in <${holder.tagName.toLowerCase()}>`);
    }
  }
  return broken;
}"""


def test_no_word_is_broken_inside_itself_on_a_phone(app, live_server, phone):
    for path in ANONYMOUS_SCREENS + ["/explain/motor-neurons"]:
        for language in LANGUAGES:
            phone.goto(f"{live_server}{path}?lang={language}")
            assert phone.evaluate(BROKEN_WORDS) == [], (path, language)

    patient_id, symptom_id, checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    base = f"/patients/{patient_id}"
    tables = [f"{base}/report/links", f"{base}/alerts", f"{base}/alerts/settings", f"{base}/emergency-card",
              f"{base}/report/preview", "/patients/"]
    for path in signed_in_screens(patient_id, symptom_id, checkin_id) + tables:
        for language in LANGUAGES:
            response = phone.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
            assert response.status == 200, (path, language)
            phone.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            assert phone.evaluate(BROKEN_WORDS) == [], (path, language)


def test_no_word_is_broken_inside_itself_on_the_clinic_screens(app, live_server, phone):
    from sqlalchemy import select

    from caregiver import clinics
    from caregiver.extensions import db
    from caregiver.models import Alert, Patient, User

    patient_id, _symptom_id, _checkin_id = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
        clinic = clinics.create_clinic("Sheffield Motor Neurone Disease Care Centre", owner)
        clinics.link_clinic(db.session.get(Patient, patient_id), clinic, owner, True)
        db.session.add(Alert(patient_id=patient_id, key="choking:words", rule="choking", level="urgent",
                             open_for=f"{patient_id}:choking"))
        db.session.commit()
        clinic_id, code = clinic.id, clinic.link_code
        clinics.ask_family(clinic.staff[0], patient_id, "Please weigh him weekly.")
        clinics.staff_read(clinic.staff[0], patient_id, "trends")
    family = f"/clinic/{clinic_id}/families/{patient_id}"
    for path in (f"/clinic/{clinic_id}/", f"{family}/", f"{family}/trends", f"{family}/history",
                 f"/clinic/{clinic_id}/staff", f"/clinic/{clinic_id}/settings", f"/patients/{patient_id}/clinics",
                 f"/patients/{patient_id}/clinics/consent?code={code}", f"/patients/{patient_id}/"):
        for language in LANGUAGES:
            response = phone.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
            assert response.status == 200, (path, language)
            phone.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            assert phone.evaluate(BROKEN_WORDS) == [], (path, language)
