"""A realistic, repeatable synthetic diary (limb-onset ALS) for demos, screenshots and benchmarks.

The same seed and the same last day give the same rows. The story follows shared/FACTS.md: the
right hand first, then the other arm, the legs, speech and swallowing, and breathing last; the
functional check-in falls by roughly a point a month, not in a straight line.
"""
import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select

from . import catalogue
from .extensions import db
from .clock import to_utc
from .models import CheckInItem, CustomSymptom, Entry, Membership, Patient, User
from .passages import PASSAGES

TZ = "Europe/London"


@dataclass
class DemoResult:
    user: User
    patient: Patient
    password: str
    entry_count: int


@dataclass(frozen=True)
class Thread:
    """One symptom's part in the story: when it starts (progress 0-1), how often, where, and how bad.

    `severity` is the typical 0-10 score when it starts and by the diary's last day: most symptoms
    stay mild to moderate, as families rate them; bulbar and breathing symptoms grow the most.
    """

    symptom: str
    starts: float
    per_week: float
    places: tuple = ()
    severity: tuple = (2, 5)


STORY = (
    Thread("weak_grip", 0.00, 3, (("hand", "right"),), (3, 7)),
    Thread("fine_tasks", 0.02, 2, (("fingers", "right"),), (3, 7)),
    Thread("twitching", 0.00, 3, (("arm", "right"), ("arm", "left"), ("trunk", None), ("leg", "left")), (1, 3)),
    Thread("cramps", 0.05, 4, (("hand", "right"), ("calf", "left"), ("calf", "right")), (3, 5)),
    Thread("tiredness", 0.00, 2, (), (3, 6)),
    Thread("low_mood", 0.10, 1, (), (3, 5)),
    Thread("wasting", 0.15, 0.5, (("hand", "right"), ("shoulder", "right")), (2, 5)),
    Thread("weakness", 0.10, 3, (("hand", "right"), ("arm", "left"), ("leg", "left"), ("leg", "both")), (3, 7)),
    Thread("slow_movement", 0.30, 1, (("hand", "both"),), (2, 5)),
    Thread("stiffness", 0.35, 3, (("leg", "both"), ("leg", "left")), (3, 6)),
    Thread("foot_drop", 0.40, 2, (("foot", "left"),), (3, 6)),
    Thread("spasms", 0.40, 2, (("leg", "left"),), (3, 5)),
    Thread("clonus", 0.45, 1, (("ankle", "left"),), (2, 4)),
    Thread("weight_loss", 0.50, 0.3, (), (2, 4)),
    Thread("slurred_speech", 0.55, 4, (), (2, 6)),
    Thread("voice_change", 0.60, 1, (), (2, 4)),
    Thread("emotional_lability", 0.60, 1, (), (2, 4)),
    Thread("thinking_change", 0.60, 0.3, (), (1, 3)),
    Thread("drooling", 0.65, 4, (), (2, 5)),
    Thread("swallowing", 0.65, 3, (), (3, 6)),
    Thread("choking_meals", 0.70, 2, (), (3, 6)),
    Thread("tongue_changes", 0.70, 0.5, (("tongue", None),), (1, 3)),
    Thread("breathless_effort", 0.70, 3, (), (3, 6)),
    Thread("thick_mucus", 0.75, 2, (), (2, 5)),
    Thread("poor_sleep", 0.75, 2, (), (3, 5)),
    Thread("breathless_lying", 0.80, 3, (), (3, 5)),
    Thread("behaviour_change", 0.80, 0.2, (), (1, 3)),
    Thread("morning_headache", 0.82, 2, (), (2, 4)),
    Thread("weak_cough", 0.85, 2, (), (3, 5)),
)
# How often a detailed entry says the symptom came (catalogue.FREQUENCIES): mostly once or a few
# times; "many times" now and then; "all the time" rarely.
FREQUENCY_WEIGHTS = {"once": 45, "few": 40, "many": 13, "constant": 2}

# When each everyday ability starts to fall (progress 0-1; below 0, before the diary began) and how
# fast (points per unit of progress): hands first, then legs, speech and swallowing, breathing last.
CHECKIN_DECLINE = {
    "handwriting": (-0.60, 3.0), "cutting": (-0.45, 3.0), "dressing": (-0.30, 2.6), "turning": (0.20, 2.4),
    "walking": (0.10, 2.8), "stairs": (-0.05, 2.8), "speech": (0.45, 3.0), "saliva": (0.50, 3.0),
    "swallowing": (0.50, 3.0), "dyspnoea": (0.60, 3.0), "orthopnoea": (0.70, 3.0),
}
NIV_STARTS, TUBE_PLACED = 0.82, 0.88

NOTES = {
    "cramps": ("Cramp woke him at 3am, eased with stretching.", "Calf cramp on the stairs.",
               "Hand cramped while holding a cup."),
    "twitching": ("Twitching in the upper arm all evening.", "Noticed ripples under the skin on his back."),
    "weak_grip": ("Dropped his mug twice at breakfast.", "Could not open the jam jar."),
    "fine_tasks": ("Buttons took ten minutes this morning.", "Struggled to use the phone keyboard."),
    "stiffness": ("Legs very stiff after sitting through the film.", "Stiff walking to the car."),
    "slurred_speech": ("Speech more slurred when tired in the evening.", "Grandchildren asked him to repeat."),
    "drooling": ("Needed a tissue all through dinner.",),
    "swallowing": ("Took 40 minutes to finish lunch.", "Pills are hard to swallow now; crushed them."),
    "choking_meals": ("Coughed a lot over rice.",),
    "breathless_effort": ("Out of breath after the stairs.", "Had to stop twice walking to the shop."),
    "breathless_lying": ("Needed three pillows to sleep.",),
    "morning_headache": ("Headache on waking again, gone by 10.",),
    "low_mood": ("Quiet and low after the clinic letter.", "Worried about the future tonight."),
    "emotional_lability": ("Laughed and could not stop at a sad moment in the news.",),
}
CARER_NOTES = ("Tired, but we had a good day.", "Hard week. Night waking is the worst.",
               "Arjun helped at the weekend, which made a difference.", "Feeling stretched thin.")
VISIT_NOTES = ("Reviewed symptoms and medicines. Bloods for riluzole are fine.",
               "Discussed physiotherapy and a walking aid.",
               "Speech and language therapy referral made.",
               "Breathing tests done; to discuss NIV.",
               "Talked about a feeding tube and weight.")
QUESTIONS = ("Are the cramps linked to the new tablets?", "Could physiotherapy help with his stiff legs?",
             "Is there a trial he could join?", "When should we think about a walking aid?",
             "What can help with the drooling at night?", "How often should his weight be checked?")
OPEN_QUESTIONS = ("Should we discuss a feeding tube now?", "Is the morning headache linked to his breathing?",
                  "Can the NIV mask be changed? It leaves marks on his nose.",
                  "Who do we call at the weekend if he chokes badly?")


def create_demo(seed=1, email="demo@example.org", password=None, today=None, years=2.0, intensity=1.0):
    """Replace the demo family for this e-mail with a freshly generated one."""
    rng = random.Random(seed)
    today = today or date.today()
    password = password or "demo-" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
    remove_demo(email)

    carer, son, self_user = make_people(rng, email, password)
    story = Story(rng, today, years, intensity)
    patient = Patient(
        display_name="Ravi", birth_year=1958, diagnosis="als", onset_region="arm",
        onset_month=story.onset.replace(day=1), height_cm=175.0, usual_weight_kg=78.0, weight_unit="kg",
        neurologist="Dr A. Okafor", clinic="City Hospital MND Clinic",
        feeding_tube=story.day_of(TUBE_PLACED) <= today, breathing_support="niv" if story.day_of(NIV_STARTS) <= today else "none",
    )
    patient.memberships = [
        Membership(user=carer, role="owner"),
        Membership(user=son, role="log"),
        Membership(user=self_user, role="log", is_patient=True),
    ]
    db.session.add(patient)
    db.session.flush()
    cold_hands = CustomSymptom(patient_id=patient.id, name="Cold hands", group="general")
    db.session.add(cold_hands)
    db.session.flush()

    entries = story.write(patient.id, (carer, son, self_user), cold_hands.id)
    db.session.add_all(entries)
    db.session.commit()
    return DemoResult(user=carer, patient=patient, password=password, entry_count=len(entries))


def demo_emails(email):
    name, _at, domain = email.partition("@")
    return email, f"{name}+arjun@{domain}", f"{name}+ravi@{domain}"


def remove_demo(email):
    """Delete an earlier demo of this e-mail: the diaries its carer owns, and its three accounts."""
    emails = demo_emails(email)
    users = db.session.scalars(select(User.id).where(User.email.in_(emails))).all()
    owned = select(Membership.patient_id).where(Membership.user_id.in_(users), Membership.role == "owner")
    db.session.execute(delete(Patient).where(Patient.id.in_(owned)))  # entries and the rest cascade
    db.session.execute(delete(User).where(User.id.in_(users)))
    db.session.commit()


def make_people(rng, email, password):
    carer_email, son_email, self_email = demo_emails(email)
    carer = User(email=carer_email, name="Priya", timezone=TZ)
    carer.set_password(password)
    son = User(email=son_email, name="Arjun", timezone=TZ)
    son.set_password(uuid.UUID(int=rng.getrandbits(128)).hex)
    self_user = User(email=self_email, name="Ravi", timezone=TZ)
    self_user.set_password(uuid.UUID(int=rng.getrandbits(128)).hex)
    db.session.add_all([carer, son, self_user])
    return carer, son, self_user


class Story:
    """The illness over the diary's days, and the entries a family writes about it."""

    def __init__(self, rng, today, years, intensity):
        self.rng = rng
        self.today = today
        # The diary runs up to yesterday, so that nothing in it is later than now.
        self.days = max(int(years * 365), 30)
        self.first_day = today - timedelta(days=self.days)
        self.intensity = intensity
        # The first symptom came about half a year before the diary started.
        self.onset = self.first_day - timedelta(days=180)
        self.holidays = self.pick_holidays()

    # Progress runs from 0.1 (when the diary starts) to 1.0 (yesterday), faster in some months.
    def progress(self, day):
        t = (day - self.first_day).days / max(self.days - 1, 1)
        return 0.1 + 0.9 * (t + 0.04 * math.sin(6 * math.pi * t))

    def day_of(self, progress):
        """The first diary day on which the story has reached this progress."""
        low, high = 0, self.days - 1
        while low < high:
            middle = (low + high) // 2
            if self.progress(self.first_day + timedelta(days=middle)) < progress:
                low = middle + 1
            else:
                high = middle
        return self.first_day + timedelta(days=low)

    def pick_holidays(self):
        """Two quiet stretches a year with nothing logged: holidays, a hospital stay."""
        quiet = set()
        for _ in range(max(1, round(2 * self.days / 365))):
            start = self.first_day + timedelta(days=self.rng.randrange(20, self.days - 20))
            quiet.update(start + timedelta(days=i) for i in range(self.rng.randrange(5, 11)))
        return quiet

    def when(self, day, hour=None):
        """A naive UTC time on that local day."""
        hour = self.rng.randrange(7, 22) if hour is None else hour
        return to_utc(datetime.combine(day, time(hour, self.rng.randrange(60))), TZ)

    def entry(self, patient_id, kind, occurred_at, reported_by, source="carer", **fields):
        return Entry(
            uuid=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), patient_id=patient_id, kind=kind,
            occurred_at=occurred_at, tz=TZ, source=source, reported_by_id=reported_by.id,
            created_at=occurred_at + timedelta(minutes=self.rng.randrange(0, 30)), **fields,
        )

    def reporter(self, people, progress):
        """Priya mostly; Arjun sometimes; Ravi himself while his hands allow, or Priya typing his words."""
        carer, son, self_user = people
        roll = self.rng.random()
        if roll < 0.3:
            typist = self_user if progress < 0.6 and self.rng.random() < 0.5 else carer
            return typist, "patient"
        return (son if roll > 0.85 else carer), "carer"

    def write(self, patient_id, people, cold_hands_id):
        carer = people[0]
        rng = self.rng
        entries = []
        visits = self.visit_days()
        for offset in range(self.days):
            day = self.first_day + timedelta(days=offset)
            if day in self.holidays:
                continue
            p = self.progress(day)
            quiet_day = rng.random() < 0.12
            if not quiet_day:
                entries += self.symptoms_of_the_day(patient_id, people, day, p, cold_hands_id)
                entries += self.events_of_the_day(patient_id, people, day, p)
            if day.weekday() == 6 and rng.random() < 0.9:
                entries.append(self.checkin(patient_id, people, day, p))
                entries.append(self.entry(patient_id, "carer", self.when(day, 21), carer,
                                          value=float(max(1, min(9, round(7 - 3 * p + rng.gauss(0, 1.2))))),
                                          note=rng.choice(CARER_NOTES) if rng.random() < 0.3 else None))
            if day.weekday() == 0 and rng.random() < 0.85:
                entries.append(self.weight(patient_id, people, day, p))
            if day >= self.day_of(NIV_STARTS) and rng.random() < 0.85:
                entries.append(self.niv(patient_id, people, day, p))
        entries += self.medications(patient_id, carer, visits)
        entries += self.appointments(patient_id, carer, visits)
        entries += self.measures(patient_id, carer)
        return entries

    def measures(self, patient_id, carer):
        """The last six months of measures: weekly breath counts and readings, monthly home devices.

        They draw on their own random numbers, so that the rest of the story stays as it was."""
        rng = random.Random(self.days * 7919)
        passage = PASSAGES["en-1"]
        found = []

        def measure(day, hour, key, value, **details):
            when = to_utc(datetime.combine(day, time(hour, rng.randrange(60))), TZ)
            found.append(Entry(uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), patient_id=patient_id,
                               kind="measure", measure=key, value=value, details=details, occurred_at=when, tz=TZ,
                               source="carer", reported_by_id=carer.id, created_at=when))

        start = max(self.first_day, self.today - timedelta(days=183))
        for offset in range((self.today - start).days):
            day = start + timedelta(days=offset)
            p = self.progress(day)
            if day in self.holidays:
                continue
            if day.weekday() == 2:
                measure(day, 10, "breath_count", float(round(52 - 22 * p + rng.gauss(0, 2))), method="microphone")
                seconds = round(passage.words * 60 / (175 - 45 * p + rng.gauss(0, 5)), 1)
                measure(day, 10, "speech_rate", round(passage.words * 60 / seconds, 1), method="microphone",
                        passage=passage.key, seconds=seconds, pause_share=round(18 + 14 * p + rng.gauss(0, 2)))
            if day.weekday() == 2 and day.day <= 14:
                right, left = round(58 - 30 * p + rng.gauss(0, 2)), round(50 - 16 * p + rng.gauss(0, 2))
                measure(day, 11, "tapping", (right + left) / 2, method="taps", right_taps=right, left_taps=left,
                        right_variation=round(12 + 20 * p + rng.gauss(0, 2), 1),
                        left_variation=round(10 + 8 * p + rng.gauss(0, 2), 1))
            if day.day == 1:
                measure(day, 9, "cough_flow", float(round(420 - 180 * p + rng.gauss(0, 10), -1)), method="hand")
                measure(day, 9, "spo2", float(round(97.5 - 1.5 * p + rng.gauss(0, 0.4))), method="hand")
        return found

    def symptoms_of_the_day(self, patient_id, people, day, p, cold_hands_id):
        rng = self.rng
        entries = []
        for thread in STORY:
            if p < thread.starts:
                continue
            ramp = min(1.0, 0.3 + (p - thread.starts) / 0.15)
            expected = thread.per_week / 7 * ramp * self.intensity
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                entries.append(self.symptom(patient_id, people, day, p, thread))
        if p > 0.3 and rng.random() < 0.04 * self.intensity:
            reporter, source = self.reporter(people, p)
            entries.append(self.entry(patient_id, "symptom", self.when(day), reporter, source,
                                      custom_symptom_id=cold_hands_id, region="hand", side="both",
                                      severity=rng.randrange(2, 5)))
        return entries

    def symptom(self, patient_id, people, day, p, thread):
        rng = self.rng
        reporter, source = self.reporter(people, p)
        region, side = rng.choice(thread.places) if thread.places else (None, None)
        detailed = rng.random() < 0.8  # the rest were quick logs with no details
        start, end = thread.severity
        course = min(1.0, (p - thread.starts) / max(0.3, 1 - thread.starts))  # from its start to yesterday
        severity = round(start + (end - start) * course + rng.gauss(0, 0.9)) if detailed else None
        notes = NOTES.get(thread.symptom)
        return self.entry(
            patient_id, "symptom", self.when(day), reporter, source,
            symptom_key=thread.symptom, region=region, side=side,
            severity=None if severity is None else max(0, min(10, severity)),
            duration=rng.choice(tuple(catalogue.DURATIONS)) if detailed and rng.random() < 0.6 else None,
            frequency=rng.choices(tuple(FREQUENCY_WEIGHTS), tuple(FREQUENCY_WEIGHTS.values()))[0]
            if detailed and rng.random() < 0.6 else None,
            note=rng.choice(notes) if notes and rng.random() < 0.12 else None,
        )

    def events_of_the_day(self, patient_id, people, day, p):
        rng = self.rng
        carer = people[0]
        events = []
        falls_per_week = max(0.0, p - 0.4) * 0.8 * self.intensity
        if rng.random() < falls_per_week / 7:
            injured = rng.random() < 0.2
            events.append(self.entry(patient_id, "event", self.when(day), carer, event_type="fall",
                                     injured=injured, note="Grazed his elbow." if injured else None))
        if rng.random() < falls_per_week * 1.5 / 7:
            events.append(self.entry(patient_id, "event", self.when(day), carer, event_type="near_fall"))
        if p > 0.65 and rng.random() < (p - 0.65) * 1.2 * self.intensity / 7:
            events.append(self.entry(patient_id, "event", self.when(day, 13), carer, event_type="choking",
                                     note="Coughed it clear after a minute." if rng.random() < 0.3 else None))
        for mark in (0.9, 0.97):
            if day == self.day_of(mark):
                events.append(self.entry(patient_id, "event", self.when(day, 9), carer,
                                         event_type="chest_infection", note="Fever and green phlegm; GP gave antibiotics."))
        if day == self.day_of(0.9) + timedelta(days=3):
            events.append(self.entry(patient_id, "event", self.when(day, 16), carer, event_type="hospital",
                                     note="Two nights on the ward for the chest infection."))
        return events

    def checkin(self, patient_id, people, day, p):
        rng = self.rng
        reporter, source = self.reporter(people, p)
        scores = {}
        for domain, (starts, rate) in CHECKIN_DECLINE.items():
            decline = max(0.0, p - starts) * rate + rng.gauss(0, 0.25)
            scores[domain] = max(0, min(4, round(4 - decline)))
        if day >= self.day_of(TUBE_PLACED):
            scores["swallowing"] = min(scores["swallowing"], 1)  # some food by tube
        niv_days = (day - self.day_of(NIV_STARTS)).days
        scores["breathing_support"] = 4 if niv_days < 0 else (3 if niv_days < 30 else 2)
        entry = self.entry(patient_id, "checkin", self.when(day, 19), reporter, source,
                           value=float(sum(scores.values())))
        entry.checkin_items = [CheckInItem(domain=d, score=s) for d, s in scores.items()]
        return entry

    def weight(self, patient_id, people, day, p):
        tube = self.day_of(TUBE_PLACED)
        # About 11 kg lost over the diary, flattening once the feeding tube is in.
        loss = 11 * min(p, self.progress(tube)) + (0.3 if day >= tube else 0)
        kilos = round(77 - loss + self.rng.gauss(0, 0.4), 1)
        return self.entry(patient_id, "weight", self.when(day, 8), people[0], value=kilos)

    def niv(self, patient_id, people, day, p):
        share = (p - NIV_STARTS) / (1 - NIV_STARTS)
        hours = round(max(0.0, min(12.0, 3 + 5 * share + self.rng.gauss(0, 0.7))), 1)
        return self.entry(patient_id, "niv", self.when(day, 7), people[0], value=hours)

    def visit_days(self):
        """Every three months or so; the last one three to six weeks ago."""
        day = self.today - timedelta(days=self.rng.randrange(21, 43))
        days = []
        while day > self.first_day + timedelta(days=30):
            days.append(day)
            day -= timedelta(days=self.rng.randrange(80, 101))
        return sorted(days)

    def appointments(self, patient_id, carer, visits):
        rng = self.rng
        entries = []
        for number, day in enumerate(visits):
            entries.append(self.entry(
                patient_id, "visit", to_utc(datetime.combine(day, time(12)), TZ), carer,
                name="Dr A. Okafor" if number % 2 == 0 else "MND nurse specialist",
                note=VISIT_NOTES[number % len(VISIT_NOTES)]))
            # The questions taken to this visit, asked on the day.
            for question in rng.sample(QUESTIONS, 2):
                entries.append(self.entry(
                    patient_id, "question", self.when(day - timedelta(days=rng.randrange(3, 20))), carer,
                    note=question, done_at=to_utc(datetime.combine(day, time(12, 30)), TZ)))
        for question in OPEN_QUESTIONS:
            day = self.today - timedelta(days=rng.randrange(1, 18))
            entries.append(self.entry(patient_id, "question", self.when(day), carer, note=question))
        return entries

    def medications(self, patient_id, carer, visits):
        def started(progress_or_day, weeks_after=0):
            day = progress_or_day if isinstance(progress_or_day, date) else self.day_of(progress_or_day)
            return day + timedelta(weeks=weeks_after)

        first_visit = visits[0] if visits else self.first_day
        plan = [
            ("Riluzole", "50 mg twice a day", started(first_visit, 1), None),
            ("Quinine", "200 mg at night", started(0.12), started(0.12, 8)),
            ("Baclofen", "10 mg three times a day", started(0.35, 3), None),
            ("Glycopyrronium", None, started(0.65, 4), None),
            ("Amitriptyline", "10 mg at night", started(0.60, 6), None),
        ]
        entries = []
        for name, dose, start, stop in plan:
            if start >= self.today:
                continue
            entries.append(self.entry(
                patient_id, "medication", to_utc(datetime.combine(start, time(12)), TZ), carer,
                name=name, dose=dose, ended_on=stop if stop and stop <= self.today else None,
                note="Stopped: little effect on the cramps." if stop and stop <= self.today else None))
        return entries
