"""The phone's own time zone is the starting choice, on sign-up and in settings, in a real browser."""
from sqlalchemy import select

from caregiver.extensions import db
from caregiver.models import User

from ..conftest import PASSWORD, make_user


def phone_in(browser, zone):
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                                  timezone_id=zone)
    return context, context.new_page()


def sign_in(page, live_server):
    page.goto(live_server + "/account/signin")
    page.fill("#email", "owner@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit], main input[type=submit]")


def test_settings_preselect_the_phones_zone_when_none_is_chosen_yet(app, live_server, browser):
    make_user(app, "owner@example.org", "Priya", timezone="UTC")  # sign-up's fallback without script
    # Chromium reports India by its old alias, Asia/Calcutta: the script still finds Asia/Kolkata.
    context, page = phone_in(browser, "Asia/Kolkata")
    sign_in(page, live_server)
    page.goto(live_server + "/account/settings")
    assert page.locator("select[name=timezone]").input_value() == "Asia/Kolkata"
    with page.expect_navigation():
        page.click("main form.stack input[type=submit]")
    with app.app_context():
        assert db.session.scalar(select(User)).timezone == "Asia/Kolkata"
    context.close()


def test_settings_keep_a_zone_already_chosen(app, live_server, browser):
    make_user(app, "owner@example.org", "Priya", timezone="Europe/Paris")
    context, page = phone_in(browser, "America/Sao_Paulo")
    sign_in(page, live_server)
    page.goto(live_server + "/account/settings")
    assert page.locator("select[name=timezone]").input_value() == "Europe/Paris"
    context.close()


def test_sign_up_takes_the_phones_zone(app, live_server, browser):
    context, page = phone_in(browser, "America/Sao_Paulo")
    page.goto(live_server + "/account/signup")
    page.fill("#name", "Ana")
    page.fill("#email", "ana@example.org")
    page.fill("#password", "a long password")
    page.fill("#confirm", "a long password")
    with page.expect_navigation():
        page.click("main button[type=submit], main input[type=submit]")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ana@example.org")).timezone == "America/Sao_Paulo"
    context.close()
