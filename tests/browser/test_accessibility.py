"""axe-core on every main page, in English and in Arabic: no serious or critical violations."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_phone_layout import make_diary, sign_in_on

AXE = Axe()


def serious_violations(page):
    results = AXE.run(page, options={"resultTypes": ["violations"],
                                     "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                           "wcag21aa", "wcag22aa", "best-practice"]}})
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_have_no_serious_accessibility_problems(app, live_server, phone, language):
    phone.goto(f"{live_server}/account/signin?lang={language}")
    assert serious_violations(phone) == []
    patient_id, symptom_id, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    base = f"/patients/{patient_id}"
    pages = ["/", "/log", "/log/cramps", "/history", f"/entries/{symptom_id}", "/new/symptom", "/new/checkin",
             "/new/weight", "/trends", "/report", "/profile", "/team", "/medications", "/questions",
             "/emergency-card", "/report/preview?range=3"]
    problems = {}
    for path in [base + page for page in pages] + ["/explain/", "/explain/motor-neurons", "/account/settings"]:
        phone.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
        found = serious_violations(phone)
        if found:
            problems[path] = found
    phone.goto(f"{live_server}{base}/?lang={language}")
    phone.locator(".language-menu summary").click()  # the switcher, opened
    if found := serious_violations(phone):
        problems["switcher"] = found
    assert problems == {}
