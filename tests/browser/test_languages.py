"""Right to left, Indic scripts and the language switcher in a real browser, on a phone screen."""
from .test_phone_layout import PROBLEMS_ON_PAGE, make_diary, sign_in_on

FONT_FILES = "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'))"
SCRIPT_FONTS = {"ar": ("Noto Sans Arabic", "ع"), "bn": ("Noto Sans Bengali", "ব"), "ta": ("Noto Sans Tamil", "த"),
                "hi": ("Noto Sans Devanagari", "ह")}


def test_the_switcher_is_one_tap_away_and_pages_load_only_their_own_script(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    assert not [name for name in phone.evaluate(FONT_FILES) if "latin" not in name]  # English: Latin fonts only
    phone.locator(".language-menu summary").tap()
    assert phone.evaluate(PROBLEMS_ON_PAGE) == []
    with phone.expect_navigation():
        phone.get_by_role("button", name="العربية").tap()
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("html").get_attribute("lang") == "ar"


def test_arabic_bengali_tamil_and_hindi_render_with_their_fonts_and_fit_a_phone(app, live_server, phone):
    patient_id, _symptom, _checkin = make_diary(app)
    sign_in_on(phone, live_server, patient_id)
    for code, (family, letter) in SCRIPT_FONTS.items():
        for path in (f"/patients/{patient_id}/", f"/patients/{patient_id}/trends", "/explain/motor-neurons"):
            phone.goto(f"{live_server}{path}?lang={code}")
            phone.evaluate("document.fonts.ready")
            assert phone.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
            assert phone.evaluate(f"document.fonts.check('16px \"{family}\"', '{letter}')"), (code, path)
            loaded = phone.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
            assert any(family in name for name in loaded), (code, path, loaded)
            assert phone.evaluate(PROBLEMS_ON_PAGE) == [], (code, path)
    # In Arabic the layout mirrors: the back of a line is on the left.
    phone.goto(f"{live_server}/patients/{patient_id}/?lang=ar")
    name = phone.locator(".top-patient").bounding_box()
    assert name["x"] + name["width"] > 330  # the person's name ends at the right-hand edge, where Arabic starts
