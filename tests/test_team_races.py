"""The care team's rules under real concurrent requests, against gunicorn with several workers:
a single-use invite joins one account however many accept it at once, and a diary keeps an owner
when two owners demote or remove each other at the same moment."""
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from caregiver import team
from caregiver.clock import utc_now
from caregiver.extensions import db
from caregiver.models import Invite, Membership

from .conftest import PASSWORD, make_patient, make_user
from .servers import Server, signed_in_opener

WORKERS = 3  # as the red team ran it: up to one joiner per worker


@pytest.fixture
def server(database_url):
    # Several processes need the sign-in counts shared (gunicorn.conf.py): a Redis database of this file's own.
    running = Server(database_url, workers=WORKERS, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/12")
    yield running
    running.stop()


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # the 302 itself is the answer


def post_at_once(requests):
    """POST every (opener, url, fields) at the same moment, one thread each; the status codes in order
    (302 for a form that was taken, whatever it then says)."""
    statuses = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def send(index):
        opener, url, fields = requests[index]
        body = urllib.parse.urlencode(fields).encode()
        start.wait()
        try:
            statuses[index] = opener.open(url, data=body, timeout=30).status
        except urllib.error.HTTPError as refusal:
            statuses[index] = refusal.code

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def signed_in(server, email):
    """An opener signed in as `email` that does not follow redirects, and its CSRF token."""
    opener, csrf = signed_in_opener(server, email, PASSWORD)
    cookies = next(handler for handler in opener.handlers if isinstance(handler, urllib.request.HTTPCookieProcessor))
    return urllib.request.build_opener(cookies, KeepRedirects()), csrf


def test_six_accounts_accepting_one_invite_at_once_make_one_join(app, server):
    owner = make_user(app, "owner@example.org", "Owner")
    joiners = [f"joiner{n}@example.org" for n in range(6)]
    for email in joiners:
        make_user(app, email)
    patients = [make_patient(app, owner, name=f"Diary {n}") for n in range(8)]
    with app.app_context():
        invites = [Invite(patient_id=patient_id, role="log", expires_at=utc_now() + timedelta(days=7))
                   for patient_id in patients]
        db.session.add_all(invites)
        db.session.commit()
        tokens = [invite.token for invite in invites]
    sessions = [signed_in(server, email) for email in joiners]

    answers = []
    for token in tokens:
        url = server.url(f"/invite/{token}")
        answers += post_at_once([(opener, url, {"csrf_token": csrf}) for opener, csrf in sessions])

    # 302: to the diary; 404: "this invite no longer works"
    assert (answers.count(302), answers.count(404)) == (8, 40), f"{answers.count(302)} joins through 8 invites"
    with app.app_context():
        db.session.remove()
        joined = db.session.execute(select(Membership.patient_id, func.count()).where(Membership.role == "log")
                                    .group_by(Membership.patient_id)).all()
        assert sorted(joined) == [(patient_id, 1) for patient_id in sorted(patients)]
        assert db.session.scalar(select(func.count()).select_from(Invite).where(Invite.used_by_id.is_not(None))) == 8


@pytest.mark.parametrize("action", ["role", "remove"])
def test_two_owners_demoting_or_removing_each_other_at_once_leave_an_owner(app, server, action):
    first, second = make_user(app, "first@example.org", "First"), make_user(app, "second@example.org", "Second")
    patients = [make_patient(app, first, name=f"Diary {n}", members=[(second, "owner")]) for n in range(10)]
    sessions = {user_id: signed_in(server, email)
                for user_id, email in ((first, "first@example.org"), (second, "second@example.org"))}
    with app.app_context():
        member_ids = {(m.patient_id, m.user_id): m.id for m in db.session.scalars(select(Membership))}

    answers = []
    for patient_id in patients:
        requests = []
        for acting, other in ((first, second), (second, first)):
            opener, csrf = sessions[acting]
            member = member_ids[(patient_id, other)]
            fields = {f"m{member}-csrf_token": csrf, f"m{member}-role": "log"} if action == "role" else {"csrf_token": csrf}
            requests.append((opener, server.url(f"/patients/{patient_id}/team/{member}/{action}"), fields))
        answers += post_at_once(requests)

    # 403: no longer an owner by then; 404: no longer in the team at all
    assert all(status in (302, 403, 404) for status in answers), answers
    with app.app_context():
        db.session.remove()
        owners = dict(db.session.execute(select(Membership.patient_id, func.count()).where(Membership.role == "owner")
                                         .group_by(Membership.patient_id)).all())
    left = [owners.get(patient_id, 0) for patient_id in patients]
    assert left == [1] * 10, f"{left.count(0)} of 10 diaries left without an owner"


def test_under_the_lock_a_change_reads_the_team_again(app, ctx):
    """What the request loaded before the lock is not trusted: the member may have left, and the
    person acting may no longer manage the team, by the time the lock is theirs."""
    first, second = make_user(app, "first@example.org"), make_user(app, "second@example.org")
    helper = make_user(app, "helper@example.org")
    patient_id = make_patient(app, first, members=[(second, "owner"), (helper, "log")])
    by_first = db.session.scalar(select(Membership).where(Membership.user_id == first))
    helper_member = db.session.scalar(select(Membership).where(Membership.user_id == helper))
    another = db.engine.connect()  # another request, committing meanwhile
    another.execute(delete(Membership).where(Membership.id == helper_member.id))
    another.commit()
    with pytest.raises(team.TeamRuleBroken) as refusal:
        team.change_role(helper_member, "read", by_first.user)
    assert refusal.value.message == team.NO_LONGER_MEMBER
    second_member = db.session.scalar(select(Membership).where(Membership.user_id == second))
    another.execute(update(Membership).where(Membership.id == by_first.id).values(role="read"))
    another.commit()
    another.close()
    with pytest.raises(team.TeamRuleBroken) as refusal:
        team.remove_member(second_member, by_first.user)
    assert refusal.value.message == team.NO_LONGER_OWNER
    assert db.session.scalar(select(func.count()).where(Membership.patient_id == patient_id,
                                                        Membership.role == "owner")) == 1
