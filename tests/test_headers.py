"""Caching and browser features over every route: private responses are never kept, public ones
cache as before, and only the microphone may be asked for."""
from sqlalchemy import select

from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import Entry, ShareLink

# Pages with nothing of a family in them, which browsers may keep as before.
PUBLIC = {"static", "explain.index", "explain.page", "pwa.manifest", "pwa.offline", "pwa.service_worker",
          "auth.signin", "auth.signup", "auth.forgot_password", "main.index", "main.healthz"}
DENIED = ("camera", "geolocation", "payment", "usb", "serial", "hid", "bluetooth", "midi", "display-capture")
# Posting to these ends the session the walk needs; the care-team tests cover them.
ENDS_THE_WALK = {"auth.signout", "auth.signout_everywhere", "auth.delete_account", "patients.delete_patient"}


def every_route(app, patient_id):
    """(endpoint, method, url) for every rule of the app, filled with the demo diary's ids."""
    with app.app_context():
        entry = db.session.scalar(select(Entry.id).where(Entry.patient_id == patient_id, Entry.kind == "symptom"))
        link = ShareLink(patient_id=patient_id, options={"range": "3"}, expires_at=utc_now().replace(year=2100))
        db.session.add(link)
        db.session.commit()
        values = {"patient_id": patient_id, "entry_id": entry, "ref": "cramps", "kind": "symptom", "lang": "en",
                  "slug": "motor-neurons", "token": link.token, "link_id": link.id, "filename": "css/app.css",
                  "member_id": 1, "invite_id": 1, "delivery_id": 1, "alert_id": 1, "clinic_id": 1, "staff_id": 1,
                  "clinic_link_id": 1, "request_id": 1}
    for rule in app.url_map.iter_rules():
        url = rule.build({name: value for name, value in values.items() if name in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule.endpoint, method, url


def check(endpoint, method, url, response):
    policy = response.headers.get("Permissions-Policy", "")
    assert "microphone=(self)" in policy, (method, url)
    assert all(f"{feature}=()" in policy for feature in DENIED), (method, url, policy)
    assert "notifications" not in policy
    caching = response.headers.get("Cache-Control", "")
    if endpoint in PUBLIC:
        assert "no-store" not in caching, (method, url, caching)
    else:
        assert caching == "no-store", (method, url, response.status_code, caching)


def test_every_route_is_no_store_unless_public_and_has_the_permissions_policy(app, client, demo):
    routes = list(every_route(app, demo))
    assert len(routes) >= 90
    for endpoint, method, url in routes:
        if method == "GET":
            check(endpoint, method, url, client.get(url))
    for endpoint, method, url in routes:
        if method == "POST" and endpoint not in ENDS_THE_WALK:
            response = client.post(url, json={"entries": []}) if url.endswith("/sync") else client.post(url, data={})
            check(endpoint, method, url, response)
    assert client.get(f"/patients/{demo}/").status_code == 200  # still signed in: the walk was private


def test_private_files_are_no_store_and_public_files_keep_caching(app, client, demo):
    for url in (f"/patients/{demo}/report/summary.pdf?range=1", f"/patients/{demo}/emergency-card.pdf",
                f"/patients/{demo}/export.json", f"/patients/{demo}/", "/account/settings", "/patients/"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
    assert "max-age=31536000" in client.get("/static/css/app.css").headers["Cache-Control"]
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"
    explainer = client.get("/explain/motor-neurons")
    assert explainer.status_code == 200 and "Cache-Control" not in explainer.headers


def test_signed_out_visitors_get_the_same_headers(app, client, demo):
    visitor = app.test_client()
    for endpoint, method, url in every_route(app, demo):
        response = visitor.get(url) if method == "GET" else visitor.post(url, data={})
        check(endpoint, method, url, response)
