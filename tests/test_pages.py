"""Kept pages: 304 while the diary is unchanged, a fresh page after any write, never a banner kept."""
import re
import urllib.request

import pytest
from sqlalchemy import select

from caregiver.extensions import db
from caregiver.models import Entry
from tests.conftest import PASSWORD, make_patient, make_user, sign_in
from tests.servers import Server, signed_in_opener

LOG = {"region": "calf", "side": "left"}


def test_unchanged_pages_answer_304_and_any_write_makes_them_new(client, carer):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/log/cramps", data=LOG)
    for path in (f"/patients/{patient_id}/history", f"/patients/{patient_id}/trends?range=12"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        client.post(f"/patients/{patient_id}/log/twitching", data={"region": "arm", "side": "left"})
        after = client.get(path, headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.headers["ETag"] != etag
    assert "Twitching" in after.get_data(as_text=True)


def test_the_key_holds_the_query_language_and_role(app, client, carer):
    _user, patient_id = carer
    reader = make_user(app, "reader@example.org")
    with app.app_context():
        from caregiver.models import Membership
        db.session.add(Membership(patient_id=patient_id, user_id=reader, role="read"))
        db.session.commit()
    tags = {client.get(path).headers["ETag"] for path in (
        f"/patients/{patient_id}/trends", f"/patients/{patient_id}/trends?range=12",
        f"/patients/{patient_id}/trends?lang=fr")}
    assert "<h1>Évolution</h1>" in client.get(f"/patients/{patient_id}/trends?lang=fr").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "reader@example.org")
    tags.add(other.get(f"/patients/{patient_id}/trends").headers["ETag"])
    assert len(tags) == 4


def test_banners_and_waiting_messages_are_never_kept(app, client, carer):
    _user, patient_id = carer
    saved = client.post(f"/patients/{patient_id}/log/cramps", data=LOG).headers["Location"]
    assert "ETag" not in client.get(saved).headers  # the Saved banner, with its Undo form
    with app.app_context():
        entry_id = db.session.scalar(select(Entry.id))
    client.post(f"/patients/{patient_id}/entries/{entry_id}/delete")
    client.post(f"/patients/{patient_id}/entries/{entry_id}/restore",
                data={"next": f"/patients/{patient_id}/history"})
    page = client.get(f"/patients/{patient_id}/history")  # with the "Restored" message waiting
    assert "Restored" in page.get_data(as_text=True) and "ETag" not in page.headers
    assert "ETag" in client.get(f"/patients/{patient_id}/history").headers


def test_the_pdf_of_unchanged_data_comes_from_the_cache(app, client, carer, monkeypatch):
    _user, patient_id = carer
    client.post(f"/patients/{patient_id}/log/cramps", data=LOG)
    from caregiver import documents
    made = []
    real = documents.summary_pdf
    monkeypatch.setattr(documents, "summary_pdf", lambda *args: made.append(1) or real(*args))
    url = f"/patients/{patient_id}/report/summary.pdf?range=12&language=en"
    first, second = client.get(url), client.get(url)
    assert first.data == second.data and first.data.startswith(b"%PDF") and len(made) == 1
    client.post(f"/patients/{patient_id}/log/twitching", data={"region": "arm", "side": "left"})
    assert client.get(url).data != first.data and len(made) == 2


@pytest.mark.parametrize("cache", ["files", "redis"])
def test_a_write_through_one_server_is_read_at_once_through_another(app, database_url, cache):
    owner = make_user(app, "owner@example.org")
    patient_id = make_patient(app, owner)
    where = {"CACHE_REDIS_URL": "redis://127.0.0.1:6379/13"} if cache == "redis" else {}
    servers = [Server(database_url, workers=1, **where), Server(database_url, workers=1, **where)]
    try:
        (writer, token), (reader, _token) = (signed_in_opener(server, "owner@example.org", PASSWORD)
                                             for server in servers)
        history = servers[1].url(f"/patients/{patient_id}/history")
        for number in range(5):
            reader.open(history).read()  # the reading server has the page cached
            form = urllib.request.Request(servers[0].url(f"/patients/{patient_id}/log/cramps"), method="POST",
                                          data=f"csrf_token={token}&region=calf&side=left".encode())
            writer.open(form).read()
            page = reader.open(history).read().decode()
            assert len(re.findall(r'class="entry entry-symptom"', page)) == number + 1
    finally:
        for server in servers:
            server.stop()
