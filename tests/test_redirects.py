"""After a form, ?next= sends the reader only to a path on this site, however the address is disguised."""
from urllib.parse import quote, urlsplit

import pytest

from caregiver.navigation import as_browser_reads

from .conftest import PASSWORD, make_user

# Each as the server receives it (after the one percent-decoding of the query string): what a
# browser would make of it is off this site.
OFF_SITE = [
    "https://evil.example/", "http:evil.example", "//evil.example/", "///evil.example", "////evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\t/evil.example", "/\n/evil.example",
    "/\r/evil.example", "/\r\n/evil.example", "\t//evil.example", " //evil.example", "\x00//evil.example",
    "/%2Fevil.example", "%2F%2Fevil.example", "/%09/evil.example", "/%5Cevil.example", "/%252Fevil.example",
    "/%25252F%25252Fevil.example", "/%0D%0A/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>", "evil.example", "https:/evil.example", "/\x0b/evil.example",
    "/\x7f/evil.example", "//evil.example/%2F..", "/ /evil.example\n", "\\\tevil.example",
]
ON_SITE = ["/account/settings", "/patients/?a=1&b=%2F", "/explain/cramps#why", "/patients/7/history?range=3"]


def lands_on_this_site(location):
    read = as_browser_reads(location)
    return read.startswith("/") and not read.startswith("//") and not urlsplit(read).netloc


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_sends_anyone_off_site(app, client, target):
    make_user(app)
    response = client.post("/account/signin", query_string={"next": target},
                           data={"email": "carer@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/patients/", (target, response.location)


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_form_never_sends_anyone_off_site(app, client, target):
    response = client.post("/language", data={"lang": "fr", "next": target})
    assert response.status_code == 302 and response.location == "/", (target, response.location)


def test_the_raw_reported_address_is_refused(app, client):
    """The reported one exactly as sent: next=%2F%09%2Fevil.example."""
    make_user(app)
    response = client.post("/account/signin?next=%2F%09%2Fevil.example",
                           data={"email": "carer@example.org", "password": PASSWORD})
    assert response.location == "/patients/" and lands_on_this_site(response.location)


@pytest.mark.parametrize("target", ON_SITE)
def test_paths_on_this_site_are_kept(app, client, target):
    make_user(app)
    response = client.post("/account/signin", query_string={"next": target},
                           data={"email": "carer@example.org", "password": PASSWORD})
    assert response.location == target
    assert client.post("/language", data={"lang": "fr", "next": target}).location == target
