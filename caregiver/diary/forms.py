"""One form per kind of diary entry. Each knows how to fill an entry and how to show one."""
import base64
import binascii
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField,
    SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import catalogue
from ..clock import to_local, to_utc, utc_now
from ..entries import custom_symptoms
from ..i18n import format_decimal, lazy_gettext as _l
from ..rows import parse_symptom_ref, ref_of, symptom_ref
from ..forms import MAX_NOTE_LENGTH, AppForm, NumberField, RangeForm, choices, stripped
from ..models import CheckInItem, Recording
from ..passages import PASSAGES, passage_for

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def note_field(label=_l("Note (optional)")):
    return TextAreaField(label, validators=[
        Length(max=MAX_NOTE_LENGTH, message=_l("Keep the note under %(max)d characters.", max=MAX_NOTE_LENGTH)),
    ])


class EntryForm(AppForm):
    """What every dated entry has: when it happened, who reported it, a note.

    `patient` and `tz` (the logging user's time zone) are set by the view before validation.
    """

    occurred_at = DateTimeLocalField(
        _l("When"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    source = RadioField(_l("Who noticed it"), choices=choices(catalogue.SOURCES), default="carer")
    note = note_field()
    submit = SubmitField(_l("Save"))

    patient = None
    tz = "UTC"

    def validate_occurred_at(self, field):
        if field.data and field.data.year < 1900:
            raise ValidationError(_l("Enter a date after 1900."))
        # A year ahead is refused before converting: 9999-12-31T23:59 west of UTC is past the last UTC day.
        if field.data and (field.data.year > utc_now().year + 1 or to_utc(field.data, self.tz) > utc_now() + CLOCK_SKEW):
            raise ValidationError(_l("This time is in the future. Enter when it happened."))

    def set_defaults(self, patient, tz, source):
        """Defaults for a new entry: now, in the user's time zone."""
        self.occurred_at.data = to_local(utc_now(), tz).replace(second=0, microsecond=0)
        self.source.data = source

    def fill(self, entry):
        entry.occurred_at = to_utc(self.occurred_at.data, self.tz)
        entry.tz = self.tz
        entry.source = self.source.data
        entry.note = stripped(self.note.data)

    def load(self, entry):
        self.occurred_at.data = to_local(entry.occurred_at, self.tz)
        self.source.data = entry.source
        self.note.data = entry.note


def optional_choice(table, label, blank=_l("Not given"), description=""):
    return SelectField(label, choices=choices(table, blank=blank), default="", description=description,
                       validate_choice=False, validators=[one_of(table, allow_blank=True)])


def one_of(table, allow_blank=False):
    """Our own wording for a value outside the list (WTForms' is terse), and blanks when allowed."""
    def check(form, field):
        if (field.data or not allow_blank) and field.data not in table:
            raise ValidationError(_l("Choose one of the options in the list."))
    return check


class SymptomForm(EntryForm):
    symptom = SelectField(_l("Symptom"), validate_choice=False)
    severity = IntegerField(_l("How bad (0 to 10)"), validators=[
        Optional(), NumberRange(min=0, max=10, message=_l("Choose a number from 0 to 10.")),
    ])
    region = optional_choice(catalogue.REGIONS, _l("Where"))
    side = optional_choice(catalogue.SIDES, _l("Which side"))
    duration = optional_choice(catalogue.DURATIONS, _l("How long it lasted"))
    # The "choking or coughing at most meals" red flag reads how often, not how bad (rules.py).
    frequency = optional_choice(catalogue.FREQUENCIES, _l("How often"), description=_l(
        "For choking or coughing at meals: choose “many times today” if it happened at most meals."))

    def set_patient(self, patient, customs):
        """The symptom list: the catalogue by group, then this patient's own symptoms."""
        self.custom_symptoms = {symptom_ref(None, c.id): c for c in customs}
        grouped = []
        for group, group_name in catalogue.GROUPS.items():
            options = [(s.key, s.name) for s in catalogue.LOGGABLE_SYMPTOMS.values() if s.group == group]
            options += [(ref, c.name) for ref, c in self.custom_symptoms.items() if c.group == group]
            if options:
                grouped.append((group_name, options))
        self.symptom.choices = [("", _l("Choose a symptom"))] + [
            choice for _group, options in grouped for choice in options
        ]
        self.symptom_groups = grouped

    def validate_symptom(self, field):
        if field.data not in catalogue.LOGGABLE_SYMPTOMS and field.data not in self.custom_symptoms:
            raise ValidationError(_l("Choose a symptom from the list."))

    def fill(self, entry):
        super().fill(entry)
        entry.symptom_key, entry.custom_symptom_id = parse_symptom_ref(self.symptom.data)
        entry.severity = self.severity.data
        entry.region = self.region.data or None
        entry.side = self.side.data if self.side.data and self.region.data in catalogue.SIDED_REGIONS else None
        entry.duration = self.duration.data or None
        entry.frequency = self.frequency.data or None

    def load(self, entry):
        super().load(entry)
        self.symptom.data = ref_of(entry)
        self.severity.data = entry.severity
        for name in ("region", "side", "duration", "frequency"):
            getattr(self, name).data = getattr(entry, name) or ""


class EventForm(EntryForm):
    # Radio buttons, as the form shows them (a select's options inside radio labels could not be chosen).
    event_type = RadioField(_l("What happened"), choices=choices(catalogue.EVENT_TYPES),
                            validate_choice=False, validators=[one_of(catalogue.EVENT_TYPES)])
    injured = BooleanField(_l("Hurt or injured"))

    def fill(self, entry):
        super().fill(entry)
        entry.event_type = self.event_type.data
        entry.injured = self.injured.data

    def load(self, entry):
        super().load(entry)
        self.event_type.data = entry.event_type
        self.injured.data = bool(entry.injured)


class WeightForm(EntryForm):
    weight = NumberField(_l("Weight"), places=1, validators=[InputRequired(message=_l("Enter the weight."))])

    def validate_weight(self, field):
        unit = self.patient.weight_unit
        low, high = catalogue.WEIGHT_LIMITS[unit]
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(_l("Enter a weight between %(low)d and %(high)d %(unit)s.",
                                     low=low, high=high, unit=unit))

    def fill(self, entry):
        super().fill(entry)
        entry.value = round(catalogue.to_kg(self.weight.data, self.patient.weight_unit), 2)

    def load(self, entry):
        super().load(entry)
        self.weight.data = round(catalogue.from_kg(entry.value, self.patient.weight_unit), 1)


class NivForm(EntryForm):
    hours = NumberField(_l("Hours on the breathing machine (NIV) last night"), places=1, validators=[
        InputRequired(message=_l("Enter the hours.")),
        NumberRange(min=0, max=24, message=_l("Enter a number of hours from 0 to 24.")),
    ])

    mask_problem = BooleanField(_l("A problem with the mask (leaks, sores, discomfort)"))

    def fill(self, entry):
        super().fill(entry)
        entry.value = float(self.hours.data)
        entry.mask_problem = self.mask_problem.data

    def load(self, entry):
        super().load(entry)
        self.hours.data = entry.value
        self.mask_problem.data = bool(entry.mask_problem)


class CarerForm(EntryForm):
    coping = IntegerField(_l("How are you coping? 0 is not at all, 10 is very well"), validators=[
        InputRequired(message=_l("Choose a number from 0 to 10.")),
        NumberRange(min=0, max=10, message=_l("Choose a number from 0 to 10.")),
    ])
    note = note_field(_l("Anything you want to say (optional)"))

    def set_defaults(self, patient, tz, source):
        super().set_defaults(patient, tz, "carer")

    def fill(self, entry):
        super().fill(entry)
        entry.source = "carer"
        entry.value = self.coping.data

    def load(self, entry):
        super().load(entry)
        self.coping.data = int(entry.value)


def decoded_recording(data_url):
    """(mime type, audio bytes) of a recording sent as a data: URL, or None if it is not one we keep."""
    header, comma, body = (data_url or "").partition(",")
    if not comma or not header.startswith("data:") or not header.endswith(";base64"):
        return None
    mime_type = header[5:].split(";")[0]
    if mime_type not in catalogue.RECORDING_TYPES or len(body) > catalogue.MAX_RECORDING_BYTES * 4 // 3 + 4:
        return None
    try:
        audio = base64.b64decode(body, validate=True)
    except binascii.Error:
        return None
    return (mime_type, audio) if audio else None


def optional_number(label, low, high, places=0, description=""):
    return NumberField(label, places=places, description=description, validators=[
        Optional(), NumberRange(min=low, max=high, message=_l("Enter a number from %(min)s to %(max)s.")),
    ])


class MeasureForm(EntryForm):
    """Every measure: the phone's screens fill these fields, or the family types them.

    The speaking rate is worked out here from the passage's words and the seconds of reading, and
    tapping from the taps of each hand, so that the phone sends only what it measured.
    """

    measure = HiddenField(validators=[one_of(catalogue.MEASURES)])
    method = HiddenField(default="hand", validators=[one_of(catalogue.MEASURE_METHODS)])
    value = NumberField(_l("Result"), places=2, validators=[Optional()])
    passage = HiddenField()
    speech_seconds = optional_number(catalogue.MEASURE_DETAILS["seconds"], 3, 600, places=1)
    pause_share = optional_number(catalogue.MEASURE_DETAILS["pause_share"], 0, 100)
    right_taps = optional_number(catalogue.MEASURE_DETAILS["right_taps"], 0, 200)
    left_taps = optional_number(catalogue.MEASURE_DETAILS["left_taps"], 0, 200)
    right_variation = optional_number(catalogue.MEASURE_DETAILS["right_variation"], 0, 500)
    left_variation = optional_number(catalogue.MEASURE_DETAILS["left_variation"], 0, 500)
    percent_predicted = optional_number(catalogue.MEASURE_DETAILS["percent_predicted"], 5, 200)
    keep_recording = BooleanField(_l("Keep the recording for the speech therapist"))
    recording = HiddenField()

    kept_recording = None  # (mime type, audio) once validated

    @property
    def chosen(self):
        return catalogue.MEASURES.get(self.measure.data)

    def set_defaults(self, patient, tz, source):
        super().set_defaults(patient, tz, source)
        self.passage.data = passage_for(get_locale()).key

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        measure = self.chosen
        if measure is None:
            return False
        if measure.key == "speech_rate":
            valid &= self.check_speech()
        elif measure.key == "tapping":
            if self.right_taps.data is None and self.left_taps.data is None:
                self.right_taps.errors.append(_l("Enter the taps of at least one hand."))
                valid = False
        elif self.value.data is None:
            self.value.errors.append(_l("Enter the result."))
            valid = False
        elif not measure.low <= self.value.data <= measure.high:
            self.value.errors.append(_l("Enter a number from %(min)s to %(max)s.", min=format_decimal(measure.low),
                                        max=format_decimal(measure.high)))
            valid = False
        if self.keep_recording.data and self.recording.data and measure.key in RECORDED:
            self.kept_recording = decoded_recording(self.recording.data)
            if self.kept_recording is None:
                self.keep_recording.errors.append(_l(
                    "The recording could not be kept: it is too long or not sound. Untick the box to save "
                    "the numbers only."))
                valid = False
        return valid

    def check_speech(self):
        if self.passage.data not in PASSAGES:
            self.passage.data = passage_for(get_locale()).key
        if self.speech_seconds.data is None:
            self.speech_seconds.errors.append(_l("Enter how many seconds the reading took."))
            return False
        return True

    def fill(self, entry):
        super().fill(entry)
        measure = self.chosen
        entry.measure = measure.key
        details = {"method": self.method.data}
        if measure.key == "speech_rate":
            passage = PASSAGES[self.passage.data]
            seconds = float(self.speech_seconds.data)
            details |= {"passage": passage.key, "seconds": seconds, "pause_share": plain(self.pause_share.data)}
            entry.value = round(passage.words * 60 / seconds, 1)
        elif measure.key == "tapping":
            hands = {hand: plain(self[f"{hand}_taps"].data) for hand in catalogue.TAPPING_HANDS}
            for hand in catalogue.TAPPING_HANDS:
                details[f"{hand}_taps"] = hands[hand]
                details[f"{hand}_variation"] = plain(self[f"{hand}_variation"].data)
            done = [taps for taps in hands.values() if taps is not None]
            entry.value = round(sum(done) / len(done), 1)
        else:
            entry.value = round(float(self.value.data), measure.places)
            if measure.key == "vital_capacity":
                details["percent_predicted"] = plain(self.percent_predicted.data)
        entry.details = {name: value for name, value in details.items() if value is not None}
        if measure.key in RECORDED and not self.keep_recording.data:
            entry.recording = None
        elif self.kept_recording is not None:
            mime_type, audio = self.kept_recording
            entry.recording = Recording(mime_type=mime_type, audio=audio)

    def load(self, entry):
        super().load(entry)
        measure = catalogue.MEASURES[entry.measure]
        details = entry.details or {}
        self.measure.data = entry.measure
        self.method.data = details.get("method", "hand")
        self.value.data = entry.value if not measure.derived else None
        self.passage.data = details.get("passage")
        self.speech_seconds.data = details.get("seconds")
        for name in ("pause_share", "right_taps", "left_taps", "right_variation", "left_variation",
                     "percent_predicted"):
            self[name].data = details.get(name)
        self.keep_recording.data = entry.recording is not None


# The measures whose sound a family may keep for the speech therapist.
RECORDED = ("breath_count", "speech_rate")


def plain(number):
    """A form's Decimal as a JSON number: a whole number stays whole."""
    if number is None:
        return None
    return int(number) if number == int(number) else float(number)


class CheckInForm(EntryForm):
    """The twelve everyday abilities; the fields are made from catalogue.CHECKIN_DOMAINS."""

    previous = None  # the last check-in, whose answers a new one starts from

    def set_defaults(self, patient, tz, source):
        super().set_defaults(patient, tz, source)
        # Most answers stay the same from week to week: start from last time's.
        if self.previous is not None:
            for item in self.previous.checkin_items:
                self[f"item_{item.domain}"].data = str(item.score)

    def fill(self, entry):
        super().fill(entry)
        scores = {key: int(self[f"item_{key}"].data) for key in catalogue.CHECKIN_DOMAINS}
        existing = {item.domain: item for item in entry.checkin_items}
        for key, score in scores.items():
            if key in existing:
                existing[key].score = score
            else:
                entry.checkin_items.append(CheckInItem(domain=key, score=score))
        entry.value = float(sum(scores.values()))

    def load(self, entry):
        super().load(entry)
        for item in entry.checkin_items:
            self[f"item_{item.domain}"].data = str(item.score)


for _key, _domain in catalogue.CHECKIN_DOMAINS.items():
    setattr(CheckInForm, f"item_{_key}", RadioField(
        _domain.name,
        choices=[(str(4 - i), level) for i, level in enumerate(_domain.levels)],
        validators=[InputRequired(message=_l("Choose the answer that fits best."))],
    ))


def not_future_date(form, field):
    if field.data and field.data > date.today() + timedelta(days=1):
        raise ValidationError(_l("This date is in the future."))


def after_1900(form, field):
    if field.data and field.data.year < 1900:
        raise ValidationError(_l("Enter a date after 1900."))


class DatedForm(AppForm):
    """Entries dated by day (medications, appointments): stored at noon of that day, local time."""

    patient = None
    tz = "UTC"

    def fill_day(self, entry, day):
        entry.occurred_at = to_utc(datetime.combine(day, time(12)), self.tz)
        entry.tz = self.tz
        entry.source = "carer"

    def set_defaults(self, patient, tz, source):
        self.day_field().data = to_local(utc_now(), tz).date()

    def load_day(self, entry):
        return to_local(entry.occurred_at, self.tz).date()


class MedicationForm(DatedForm):
    name = StringField(_l("Medicine"), validators=[
        DataRequired(message=_l("Enter the name of the medicine.")),
        Length(max=120, message=_l("Keep it under 120 characters.")),
    ])
    dose = StringField(_l("Dose and how often (optional)"), description=_l("For example: 50 mg twice a day"),
                       validators=[Length(max=120, message=_l("Keep it under 120 characters."))])
    started = DateField(_l("Started on"), validators=[
        InputRequired(message=_l("Enter the date it was started.")), not_future_date, after_1900,
    ])
    stopped = DateField(_l("Stopped on (leave empty if still taken)"),
                        validators=[Optional(), not_future_date, after_1900])
    note = note_field()
    submit = SubmitField(_l("Save"))

    def day_field(self):
        return self.started

    def validate_stopped(self, field):
        if field.data and self.started.data and field.data < self.started.data:
            raise ValidationError(_l("The stop date is before the start date."))

    def fill(self, entry):
        self.fill_day(entry, self.started.data)
        entry.name = self.name.data.strip()
        entry.dose = stripped(self.dose.data)
        entry.ended_on = self.stopped.data
        entry.note = stripped(self.note.data)

    def load(self, entry):
        self.started.data = self.load_day(entry)
        self.name.data, self.dose.data = entry.name, entry.dose
        self.stopped.data, self.note.data = entry.ended_on, entry.note


class VisitForm(DatedForm):
    day = DateField(_l("Date of the appointment"),
                    validators=[InputRequired(message=_l("Enter the date.")), after_1900])
    name = StringField(_l("Who you saw (optional)"), validators=[
        Length(max=120, message=_l("Keep it under 120 characters.")),
    ])
    note = note_field(_l("What was said or decided (optional)"))
    submit = SubmitField(_l("Save"))

    def day_field(self):
        return self.day

    def validate_day(self, field):
        # A coming appointment may be noted ahead, but not years ahead.
        if field.data and field.data > date.today() + timedelta(days=366):
            raise ValidationError(_l("Enter a date within the next year."))

    def fill(self, entry):
        self.fill_day(entry, self.day.data)
        entry.name = stripped(self.name.data)
        entry.note = stripped(self.note.data)

    def load(self, entry):
        self.day.data = self.load_day(entry)
        self.name.data, self.note.data = entry.name, entry.note


class QuestionForm(AppForm):
    note = TextAreaField(_l("Your question"), validators=[
        DataRequired(message=_l("Write the question.")),
        Length(max=1000, message=_l("Keep the question under %(max)d characters.", max=1000)),
    ])
    submit = SubmitField(_l("Add question"))
    patient = None
    tz = "UTC"

    def set_defaults(self, patient, tz, source):
        pass

    def fill(self, entry):
        if entry.occurred_at is None:
            entry.occurred_at = utc_now()
            entry.tz = self.tz
        entry.source = "carer"
        entry.note = stripped(self.note.data)

    def load(self, entry):
        self.note.data = entry.note


class QuickLogForm(AppForm):
    """One big button on the quick-log screen: the symptom is in the URL, the place in the button."""

    region = HiddenField()
    side = HiddenField()


class CustomSymptomForm(AppForm):
    name = StringField(_l("Name of the symptom"), validators=[
        DataRequired(message=_l("Enter a name.")),
        Length(max=80, message=_l("Keep it under 80 characters.")),
    ])
    group = SelectField(_l("Closest group"), choices=choices(catalogue.GROUPS), validate_choice=False,
                        validators=[one_of(catalogue.GROUPS)])
    submit = SubmitField(_l("Add symptom"))


class HistoryFilterForm(RangeForm):
    """The history filters arrive in the query string, so the filtered page can be bookmarked."""

    default_range = "all"
    kind = optional_choice(catalogue.ENTRY_KINDS, _l("Kind of entry"), blank=_l("All"))
    group = optional_choice(catalogue.GROUPS, _l("Symptom group"), blank=_l("All"))
    symptom = SelectField(_l("Symptom"), validate_choice=False)

    def set_symptoms(self, customs):
        self.symptom.choices = [("", _l("All"))] + [(s.key, s.name) for s in catalogue.SYMPTOMS.values()] + [
            (symptom_ref(None, c.id), c.name) for c in customs]

    def chosen(self, field):
        """The value of a filter if it is one the form offers, else no filter."""
        return field.data if field.data in dict(field.choices) else ""


KIND_FORMS = {
    "symptom": SymptomForm,
    "event": EventForm,
    "weight": WeightForm,
    "niv": NivForm,
    "checkin": CheckInForm,
    "carer": CarerForm,
    "medication": MedicationForm,
    "visit": VisitForm,
    "question": QuestionForm,
    "measure": MeasureForm,
}


def entry_form_for(kind, patient, tz, customs=None, **form_arguments):
    """The form of an entry kind, ready for this patient: their own symptoms (`customs`, read if
    not given), their weight unit, and the time zone its times are read in. form_arguments go to
    the form (formdata, meta)."""
    form = KIND_FORMS[kind](**form_arguments)
    form.patient, form.tz = patient, tz
    if kind == "symptom":
        form.set_patient(patient, custom_symptoms(patient) if customs is None else customs)
    return form


class ImportForm(AppForm):
    backup = FileField(_l("Backup file (.json)"), validators=[FileRequired(message=_l("Choose the backup file."))])
    submit = SubmitField(_l("Make a diary from this backup"))
