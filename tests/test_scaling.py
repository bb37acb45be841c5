"""Several app processes on one database: nothing that another process needs lives in memory."""
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
import redis

from .conftest import PASSWORD, make_patient, make_user
from .servers import GUNICORN, ROOT, Server, free_port, server_environment, signed_in_opener

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def two_servers(database_url):
    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    servers = [Server(database_url, workers=2, RATELIMIT_STORAGE_URI=REDIS) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()
    redis.Redis.from_url(REDIS).flushdb()


def test_written_through_one_server_read_through_the_other(app, two_servers):
    first, second = two_servers
    patient_id = make_patient(app, make_user(app, "owner@example.org"), name="Ravi")
    opener, token = signed_in_opener(first, "owner@example.org", PASSWORD)  # the session is a signed cookie
    entry_uuid = str(uuid.uuid4())
    request = urllib.request.Request(
        first.url(f"/patients/{patient_id}/sync"), method="POST", headers={
            "Content-Type": "application/json", "X-CSRFToken": token},
        data=json.dumps({"entries": [{"uuid": entry_uuid, "kind": "symptom", "tz": "UTC", "fields": {
            "symptom": "drooling", "occurred_at": "2026-01-05T10:00", "note": "written through the first"}}]}).encode())
    assert json.loads(opener.open(request).read())["results"][0]["status"] == "saved"
    history = opener.open(second.url(f"/patients/{patient_id}/history")).read().decode()
    assert "Drooling" in history
    backup = json.loads(opener.open(second.url(f"/patients/{patient_id}/export.json")).read())
    assert [entry["note"] for entry in backup["entries"]] == ["written through the first"]


def test_sign_in_limits_are_shared_through_redis(app, two_servers):
    make_user(app, "owner@example.org")
    statuses = [status for attempt in range(6) for server in two_servers for status in wrong_password_statuses(server, 1)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]  # ten wrong tries, whichever server


def wrong_password_statuses(server, tries):
    statuses = []
    for _attempt in range(tries):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = opener.open(server.url("/account/signin")).read().decode()
        token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        try:
            statuses.append(opener.open(server.url("/account/signin"), data=urllib.parse.urlencode(
                {"csrf_token": token, "email": "owner@example.org", "password": "wrong"}).encode()).status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)
    return statuses


def test_without_redis_the_embedded_default_still_counts_each_try_once(app, database_url):
    """gunicorn with no shared store: one process with threads, so 10 wrong tries are 10, not 30."""
    make_user(app, "owner@example.org")
    server = Server(database_url, RATELIMIT_STORAGE_URI="memory://")
    try:
        assert wrong_password_statuses(server, 12) == [200] * 10 + [429, 429]
    finally:
        server.stop()


def test_several_processes_without_a_shared_store_refuse_to_start(database_url):
    process = subprocess.run(
        [GUNICORN, "-c", os.path.join(ROOT, "gunicorn.conf.py"), "--bind", f"127.0.0.1:{free_port()}", "app:app"],
        cwd=ROOT, env=server_environment(database_url, WEB_CONCURRENCY="3", RATELIMIT_STORAGE_URI="memory://"),
        capture_output=True, text=True, timeout=60)
    assert process.returncode != 0 and "RATELIMIT_STORAGE_URI=redis://" in process.stderr
