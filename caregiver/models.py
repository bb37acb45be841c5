"""The database tables: accounts, patients and their care team, and the diary itself."""
import secrets
import uuid
from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, delete
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .catalogue import ROLES
from .clock import utc_now
from .extensions import db

ROLE_ORDER = tuple(ROLES)  # weakest first


def new_uuid():
    return str(uuid.uuid4())


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[Optional[str]] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Messages about a patient go only to a confirmed address; a new address waits in
    # pending_email until it is confirmed from there.
    email_confirmed_at: Mapped[Optional[datetime]]
    pending_email: Mapped[Optional[str]] = mapped_column(String(254))
    # "No health details in e-mails": messages then only say that something is waiting in the app.
    private_emails: Mapped[bool] = mapped_column(default=False)
    # Quiet hours in the user's own time zone ("22:00" to "07:00"); urgent alerts come through.
    quiet_from: Mapped[Optional[str]] = mapped_column(String(5))
    quiet_until: Mapped[Optional[str]] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # The session this request is signed in with (accounts.user_by_login_id sets it): part of the login id.
    session_token = None

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        return f"{self.id}:{self.session_token}"


class UserSession(db.Model):
    """A signed-in device, checked on every request: ending it ends that session and its
    remember-me cookie, wherever a copy of them is. Only a hash of the token is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[Optional[datetime]]
    browser: Mapped[Optional[str]] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="sessions")


class Patient(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    birth_year: Mapped[Optional[int]]
    diagnosis: Mapped[str] = mapped_column(String(20))  # key of catalogue.DIAGNOSES
    onset_month: Mapped[Optional[date]]  # first of the month of the first symptom
    onset_region: Mapped[Optional[str]] = mapped_column(String(20))  # catalogue.ONSET_REGIONS
    height_cm: Mapped[Optional[float]]
    usual_weight_kg: Mapped[Optional[float]]
    weight_unit: Mapped[str] = mapped_column(String(2), default="kg")
    neurologist: Mapped[Optional[str]] = mapped_column(String(120))
    clinic: Mapped[Optional[str]] = mapped_column(String(120))
    feeding_tube: Mapped[bool] = mapped_column(default=False)
    breathing_support: Mapped[str] = mapped_column(String(10), default="none")
    # For the emergency card: free text, as families write them.
    allergies: Mapped[Optional[str]] = mapped_column(Text)
    emergency_contacts: Mapped[Optional[str]] = mapped_column(Text)
    niv_settings_holder: Mapped[Optional[str]] = mapped_column(String(200))
    # An urgent alert no one has seen after this long goes to the owners, and again on a schedule.
    escalate_after_minutes: Mapped[int] = mapped_column(default=30)
    # Reminder schedule: {reminder key: days between, or 0 for off}; missing keys take the defaults.
    reminder_days: Mapped[Optional[dict]] = mapped_column(db.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Moves on with every write its pages show (caregiver/versions.py): the key of their caches.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="patient", cascade="all, delete-orphan"
    )


class Membership(db.Model):
    """A user's place in a patient's care team; the only path from a user to a patient's data."""

    __table_args__ = (UniqueConstraint("patient_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    is_patient: Mapped[bool] = mapped_column(default=False)  # this account is the patient's own
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # How alerts reach this member: the levels (rules.LEVELS) sent by Web Push and by e-mail, the
    # reminders they want, and the weekly digest. None means the level's default.
    push_levels: Mapped[Optional[list]] = mapped_column(db.JSON)
    email_levels: Mapped[Optional[list]] = mapped_column(db.JSON)
    reminders: Mapped[Optional[list]] = mapped_column(db.JSON)  # keys of reminders.REMINDERS
    weekly_digest: Mapped[bool] = mapped_column(default=False)

    patient: Mapped[Patient] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    def allows(self, need):
        return ROLE_ORDER.index(self.role) >= ROLE_ORDER.index(need)


class Invite(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    role: Mapped[str] = mapped_column(String(10))
    is_patient: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]
    used_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Sent by e-mail, in the invitee's language, when the owner gave an address.
    email: Mapped[Optional[str]] = mapped_column(String(254))
    locale: Mapped[Optional[str]] = mapped_column(String(10))

    patient: Mapped[Patient] = relationship()
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])


class CustomSymptom(db.Model):
    """A symptom a family names themselves, logged like a catalogue symptom."""

    __table_args__ = (UniqueConstraint("patient_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    group: Mapped[str] = mapped_column(String(10))  # key of catalogue.GROUPS
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Entry(db.Model):
    """One diary entry of any kind (catalogue.ENTRY_KINDS); the kind decides which columns apply.

    Times are naive UTC; `tz` keeps the zone the entry was logged in.
    Deleting sets deleted_at, so that it can be undone; every change is kept in Revision.
    The UUID is the phone's name for the entry, unique within its diary: a UUID another diary
    uses says nothing about that diary.
    """

    __table_args__ = (
        Index("ix_entry_patient_occurred", "patient_id", "occurred_at"),
        Index("ix_entry_patient_kind_occurred", "patient_id", "kind", "occurred_at"),
        # "Was this symptom ever logged before the appointment?" in one look-up, however long the diary.
        Index("ix_entry_patient_symptom_occurred", "patient_id", "kind", "symptom_key", "custom_symptom_id",
              "occurred_at"),
        UniqueConstraint("patient_id", "uuid", name="uq_entry_patient_uuid"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[datetime]
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    # symptom
    symptom_key: Mapped[Optional[str]] = mapped_column(String(30))
    custom_symptom_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("custom_symptom.id", ondelete="SET NULL")
    )
    severity: Mapped[Optional[int]]
    region: Mapped[Optional[str]] = mapped_column(String(20))
    side: Mapped[Optional[str]] = mapped_column(String(10))
    duration: Mapped[Optional[str]] = mapped_column(String(20))
    frequency: Mapped[Optional[str]] = mapped_column(String(20))
    # event
    event_type: Mapped[Optional[str]] = mapped_column(String(20))
    injured: Mapped[Optional[bool]]
    # NIV: a problem with the mask (leaks, sores, discomfort) that night
    mask_problem: Mapped[Optional[bool]]
    # weight in kg, NIV hours, carer coping 0-10, check-in total 0-48
    value: Mapped[Optional[float]]
    # medication (name, dose, ended_on = stopped) and visit (name = clinician)
    name: Mapped[Optional[str]] = mapped_column(String(120))
    dose: Mapped[Optional[str]] = mapped_column(String(120))
    ended_on: Mapped[Optional[date]]
    # measure: which one (catalogue.MEASURES) and how it was taken, with its details (seconds, taps)
    measure: Mapped[Optional[str]] = mapped_column(String(20))
    details: Mapped[Optional[dict]] = mapped_column(JSON)
    # question: when it was asked
    done_at: Mapped[Optional[datetime]]
    note: Mapped[Optional[str]] = mapped_column(Text)
    # Who reported it: the patient themself ("patient") or a carer's observation ("carer"),
    # and which account entered it.
    source: Mapped[str] = mapped_column(String(10), default="carer")
    reported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[Optional[datetime]]
    deleted_at: Mapped[Optional[datetime]]
    # Offline sync: a digest of what the phone sent (diary.sync.content_digest), and, for an entry
    # sent again under the same UUID with other details, the entry first received under it.
    sync_digest: Mapped[Optional[str]] = mapped_column(String(64))
    conflict_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))

    reported_by: Mapped[Optional[User]] = relationship()
    conflict_of: Mapped[Optional["Entry"]] = relationship(remote_side=[id])
    custom_symptom: Mapped[Optional[CustomSymptom]] = relationship()
    checkin_items: Mapped[list["CheckInItem"]] = relationship(
        cascade="all, delete-orphan", order_by="CheckInItem.id"
    )
    revisions: Mapped[list["Revision"]] = relationship(
        cascade="all, delete-orphan", order_by="Revision.changed_at"
    )
    recording: Mapped[Optional["Recording"]] = relationship(cascade="all, delete-orphan", lazy="select")

    @property
    def custom_name(self):
        """The family's own name of the symptom, for their own symptoms (as entries.EntryRow has it)."""
        return self.custom_symptom.name if self.custom_symptom_id else None


class CheckInItem(db.Model):
    """One of the twelve functional check-in scores (0-4) of a check-in entry."""

    __table_args__ = (UniqueConstraint("entry_id", "domain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(20))  # key of catalogue.CHECKIN_DOMAINS
    score: Mapped[int]


class Recording(db.Model):
    """A measure's audio, kept only when the family ticked "keep the recording for the speech therapist".

    It is part of the diary: in the backup, and deleted with the entry and the diary.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), unique=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    audio: Mapped[bytes] = mapped_column(LargeBinary)


class MonthTally(db.Model):
    """What the trends page and a printed summary read of one whole local month of a diary,
    instead of its entries: the days with entries, the events by type, each symptom's count,
    severities and first and last times, the notes, who entered the entries and where weakness
    was (caregiver/tallies.py makes, reads and drops them; never edited in place)."""

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64), primary_key=True)  # the reader's time zone
    month: Mapped[date] = mapped_column(primary_key=True)  # its first day, in that zone
    tally: Mapped[dict] = mapped_column(JSON)


class Revision(db.Model):
    """Who created, changed, deleted or restored an entry, when, and what the fields were."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # created, edited, deleted, restored
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utc_now)
    changes: Mapped[Optional[dict]] = mapped_column(db.JSON)  # field: [before, after]

    changed_by: Mapped[Optional[User]] = relationship()


class ShareLink(db.Model):
    """A read-only link to the visit summary for the clinic: no account needed, expires, revocable.

    `options` keeps the report's range and sections as chosen (reports.forms.ReportForm), so the
    clinic sees the same summary the family previewed, brought up to date at each view. The
    `shows_*` choices (the share form's) say what else of the team's own it shows.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    options: Mapped[dict] = mapped_column(db.JSON)
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[Optional[datetime]]
    shows_names: Mapped[bool] = mapped_column(default=False)  # who entered how many
    shows_coping: Mapped[bool] = mapped_column(default=False)  # the carer's own check
    shows_questions: Mapped[bool] = mapped_column(default=True)  # the family's questions

    patient: Mapped[Patient] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    views: Mapped[list["ShareView"]] = relationship(
        cascade="all, delete-orphan", order_by="ShareView.viewed_at.desc()"
    )

    def is_open(self, now):
        return self.revoked_at is None and now < self.expires_at


class ShareView(db.Model):
    """One opening of a share link: when, as what, and from which address and browser."""

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(default=utc_now)
    format: Mapped[str] = mapped_column(String(4))  # html or pdf
    address: Mapped[Optional[str]] = mapped_column(String(45))
    browser: Mapped[Optional[str]] = mapped_column(String(200))


class Alert(db.Model):
    """A rule raised by the diary: open, then seen by someone at a time, then done (with a note) or
    snoozed until a time. `key` makes it once only, however often the entries that raised it arrive."""

    __table_args__ = (Index("ix_alert_patient_raised", "patient_id", "raised_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    rule: Mapped[str] = mapped_column(String(30))  # a key of rules.RULES_BY_KEY
    level: Mapped[str] = mapped_column(String(12))
    raised_at: Mapped[datetime] = mapped_column(default=utc_now)
    seen_at: Mapped[Optional[datetime]]
    seen_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    done_at: Mapped[Optional[datetime]]
    done_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[Optional[str]] = mapped_column(Text)
    snoozed_until: Mapped[Optional[datetime]]
    escalations: Mapped[int] = mapped_column(default=0)
    next_escalation_at: Mapped[Optional[datetime]]
    # "patient:rule" until done: one unresolved alert per rule and diary, even when two app
    # processes raise it at the same moment.
    open_for: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    # The clinic's own "seen", apart from the family's: the family sees that the clinic has it.
    clinic_seen_at: Mapped[Optional[datetime]]
    clinic_seen_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clinic_staff.id", ondelete="SET NULL"))

    seen_by: Mapped[Optional[User]] = relationship(foreign_keys=[seen_by_id])
    clinic_seen_by: Mapped[Optional["ClinicStaff"]] = relationship(foreign_keys=[clinic_seen_by_id])
    done_by: Mapped[Optional[User]] = relationship(foreign_keys=[done_by_id])
    entries: Mapped[list["Entry"]] = relationship(secondary="alert_entry", order_by="Entry.occurred_at")

    def state(self, now):
        if self.done_at is not None:
            return "done"
        if self.snoozed_until is not None and self.snoozed_until > now:
            return "snoozed"
        return "seen" if self.seen_at is not None else "open"


class AlertEntry(db.Model):
    """Which entries raised an alert: the history links each entry to the alerts it raised."""

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True, index=True)


class PushSubscription(db.Model):
    """One device's Web Push subscription: removed when the push service says it has gone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    browser: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Delivery(db.Model):
    """One message on its way to one person: queued, being sent, sent, or failed after its last try.

    `key` makes each message once only, however often it is queued (a retried request, two
    schedulers); a worker claims a delivery before sending it, and a claim that outlives its
    lease (a worker killed mid-send) is taken up again.
    """

    __table_args__ = (Index("ix_delivery_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    kind: Mapped[str] = mapped_column(String(30))  # a message of mail.MESSAGES
    address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[Optional[int]] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, sending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    claimed_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[Optional[datetime]]
    dismissed_at: Mapped[Optional[datetime]]  # the owner has seen that it failed


class JobRun(db.Model):
    """A scheduled job's run for one slot of time: the unique pair lets one scheduler of many run it."""

    __table_args__ = (UniqueConstraint("name", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slot: Mapped[str] = mapped_column(String(30))
    ran_at: Mapped[datetime] = mapped_column(default=utc_now)


class Clinic(db.Model):
    """An MND team that follows families between visits, only those that link their diary to it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # What a family types to link its diary: short enough to read out on the phone.
    link_code: Mapped[str] = mapped_column(String(12), unique=True, default=lambda: new_link_code())
    show_staff_names: Mapped[bool] = mapped_column(default=False)  # else families see the role only
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    staff: Mapped[list["ClinicStaff"]] = relationship(back_populates="clinic", order_by="ClinicStaff.id")


def new_link_code():
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    return "".join(secrets.choice(alphabet) for _ in range(8))


class ClinicStaff(db.Model):
    """A staff account of a clinic: a clinician reads and acknowledges; an admin also manages staff.
    Leaving keeps the row (the records of what they read) and ends every access at once."""

    __table_args__ = (UniqueConstraint("clinic_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # catalogue.CLINIC_ROLES
    profession: Mapped[str] = mapped_column(String(20))  # catalogue.PROFESSIONS
    push_levels: Mapped[Optional[list]] = mapped_column(db.JSON)  # as Membership's
    email_levels: Mapped[Optional[list]] = mapped_column(db.JSON)
    joined_at: Mapped[datetime] = mapped_column(default=utc_now)
    left_at: Mapped[Optional[datetime]]

    clinic: Mapped[Clinic] = relationship(back_populates="staff")
    user: Mapped[User] = relationship()


class ClinicInvite(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    profession: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]

    clinic: Mapped[Clinic] = relationship()


class ClinicLink(db.Model):
    """A family's consent: this clinic may see the summary, trends and alerts of the diary (and the
    full history if chosen), from `linked_at` until the owner ends it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"), index=True)
    full_history: Mapped[bool] = mapped_column(default=False)
    linked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[Optional[datetime]]
    # "patient:clinic" while the link stands: one at a time, even when two owners link at once.
    active_key: Mapped[Optional[str]] = mapped_column(String(40), unique=True)

    clinic: Mapped[Clinic] = relationship()
    patient: Mapped[Patient] = relationship()
    linked_by: Mapped[Optional[User]] = relationship()


class ClinicRead(db.Model):
    """Each time clinic staff open a diary: who, what and when. The family can read these; they
    outlive the staff member's account (who is then "a former team member")."""

    __table_args__ = (Index("ix_clinic_read_patient_at", "patient_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clinic_staff.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(String(20))  # catalogue.CLINIC_READS
    read_at: Mapped[datetime] = mapped_column(default=utc_now)

    clinic: Mapped[Clinic] = relationship()
    staff: Mapped[Optional[ClinicStaff]] = relationship()


class ClinicRequest(db.Model):
    """A short request from the clinic to the family, in the staff member's own words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("clinic_staff.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    done_at: Mapped[Optional[datetime]]

    staff: Mapped[ClinicStaff] = relationship()


class PreparedSummary(db.Model):
    """A visit summary PDF made ahead by a job for a clinic's coming appointment, so it opens at once;
    used only while nothing in the diary has changed since it was made."""

    __table_args__ = (UniqueConstraint("patient_id", "clinic_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id", ondelete="CASCADE"))
    made_at: Mapped[datetime] = mapped_column(default=utc_now)
    diary_changed_at: Mapped[Optional[datetime]]  # the newest change the PDF includes
    pdf: Mapped[bytes] = mapped_column(db.LargeBinary)


def erase_patients(patient_ids):
    """Remove diaries and everything in them: the database's ON DELETE CASCADE takes the entries,
    check-in scores, history, team, invites, the family's own symptoms and share links with their views."""
    if patient_ids:
        db.session.execute(delete(Patient).where(Patient.id.in_(patient_ids)))
