"""Accounts: sign up, sign in and out, remember me, password change, signing out everywhere."""
import html
import re
from zoneinfo import available_timezones

from sqlalchemy import select

from caregiver.clock import canonical_timezones
from caregiver.i18n import COMMON_TIMEZONES

from caregiver.extensions import db
from caregiver.models import User

from .conftest import PASSWORD, make_user, sign_in

SIGNUP = {"name": "Priya", "email": "Priya@Example.org ", "password": "a long password", "confirm": "a long password",
          "timezone": "Asia/Kolkata"}


def test_sign_up_creates_an_account_with_a_hashed_password(app, client, auth):
    response = client.post("/account/signup", data=SIGNUP)
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "priya@example.org" and user.timezone == "Asia/Kolkata"
        assert user.password_hash.startswith("scrypt:") and "a long password" not in user.password_hash
        assert user.email_confirmed_at is None
    auth.sign_in("priya@example.org", "a long password")  # the account works at once
    assert client.get("/patients/new").status_code == 200


def test_sign_up_checks_its_fields(app, client):
    cases = [
        ({"email": "not-an-email"}, "does not look like an e-mail"),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"confirm": "something else"}, "not the same"),
        ({"name": ""}, "Tell us your name"),
    ]
    for change, message in cases:
        page = client.post("/account/signup", data={**SIGNUP, **change}).get_data(as_text=True)
        assert message in page, change
        assert 'value="Priya"' in page or change.get("name") == ""  # typed values are kept
    make_user(app, "priya@example.org")
    page = client.post("/account/signup", data=SIGNUP).get_data(as_text=True)
    assert "Check your e-mail" in page and "already" not in page  # its owner is told by e-mail instead


def test_an_unknown_time_zone_from_the_browser_falls_back_to_utc(app, client):
    client.post("/account/signup", data={**SIGNUP, "timezone": "Mars/Olympus"})
    with app.app_context():
        assert db.session.scalar(select(User)).timezone == "UTC"


def test_sign_in_never_tells_whether_an_email_exists(app, client):
    make_user(app)
    wrong_password = client.post("/account/signin", data={"email": "carer@example.org", "password": "nope"})
    unknown_email = client.post("/account/signin", data={"email": "nobody@example.org", "password": "nope"})
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "That e-mail and password do not match an account."
    assert message in wrong_password.get_data(as_text=True) and message in unknown_email.get_data(as_text=True)
    assert wrong_password.get_data(as_text=True).replace("carer@", "X@") == unknown_email.get_data(
        as_text=True).replace("nobody@", "X@")


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(app, client):
    make_user(app)
    assert client.get("/patients/").location.startswith("/account/signin?next=")
    response = client.post("/account/signin?next=/account/settings", data={"email": "carer@example.org", "password": PASSWORD})
    assert response.location == "/account/settings"
    client.post("/account/signout")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/account/signin?next={target}", data={"email": "carer@example.org", "password": PASSWORD})
        assert response.location == "/patients/", target
        client.post("/account/signout")


def test_remember_me_sets_a_long_lived_cookie(app, client):
    make_user(app)
    client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_sign_out(app, client, auth):
    make_user(app)
    auth.sign_in()
    auth.sign_out()
    assert client.get("/account/settings").status_code == 302


def test_password_change(app, client, auth):
    make_user(app)
    auth.sign_in()
    page = client.post("/account/password", data={"current": "wrong", "password": "another long one",
                                                   "confirm": "another long one"}).get_data(as_text=True)
    assert "not your current password" in page
    response = client.post("/account/password", data={"current": PASSWORD, "password": "another long one",
                                                      "confirm": "another long one"})
    assert response.status_code == 302
    auth.sign_out()
    assert client.post("/account/signin", data={"email": "carer@example.org", "password": PASSWORD}).status_code == 200
    auth.sign_in(password="another long one")


def test_sign_out_everywhere_ends_sessions_on_other_devices(app):
    make_user(app)
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone)
    sign_in(laptop)
    laptop.post("/account/signout-everywhere")
    assert phone.get("/account/settings").status_code == 302


def test_settings_change_name_and_time_zone(app, client, auth):
    make_user(app)
    auth.sign_in()
    client.post("/account/settings", data={"name": "Priya S", "timezone": "America/Sao_Paulo"})
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.name, user.timezone) == ("Priya S", "America/Sao_Paulo")
    page = client.post("/account/settings", data={"name": "Priya", "timezone": "Nowhere/Land"}).get_data(as_text=True)
    assert "Choose a time zone from the list" in page


def settings_zone_options(client, lang):
    """(value, label) of every option of the time-zone picker, as the page renders it in `lang`."""
    page = client.get(f"/account/settings?lang={lang}").get_data(as_text=True)
    picker = page[page.index('name="timezone"'):]
    picker = picker[:picker.index("</select>")]
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', picker)


def test_time_zone_picker_offers_no_alias_and_the_common_zones_first(app, client, auth):
    make_user(app)
    auth.sign_in()
    options = settings_zone_options(client, "en")
    zones = [value for value, _label in options]
    backward_aliases = set(available_timezones()) - canonical_timezones()
    assert {"GB", "Cuba", "EET", "Factory", "US/Eastern", "Asia/Calcutta"} <= backward_aliases
    assert not set(zones) & backward_aliases
    assert all("/" in zone or zone == "UTC" for zone in zones)
    assert len(zones) == len(set(zones)) > 300
    assert zones[:len(COMMON_TIMEZONES)] == list(COMMON_TIMEZONES)
    assert dict(options)["Asia/Kolkata"] == "India Time"


def test_time_zone_names_are_in_the_readers_language(app, client, auth):
    make_user(app)
    auth.sign_in()
    for lang, kolkata, new_york in (("fr", "Inde", "New York"), ("hi", "भारत", "न्यूयॉर्क"),
                                    ("ar", "الهند", "نيويورك")):
        labels = dict(settings_zone_options(client, lang))
        assert kolkata in html.unescape(labels["Asia/Kolkata"]), labels["Asia/Kolkata"]
        assert new_york in html.unescape(labels["America/New_York"])
        assert "Asia/Kolkata" not in labels["Asia/Kolkata"]


def test_a_zone_the_browser_names_by_its_alias_is_saved_by_its_own_name(app, client, auth):
    client.post("/account/signup", data={**SIGNUP, "timezone": "Asia/Calcutta"})
    with app.app_context():
        assert db.session.scalar(select(User)).timezone == "Asia/Kolkata"
