"""A backup held to the forms' rules before anything of it is imported.

The profile goes through the profile form, the family's symptoms through theirs, and each entry
through its kind's form, as offline sync does: one set of rules for what is typed, synced and
imported. What a form cannot type (a value of another kind of entry) is refused too.
"""
from types import SimpleNamespace

from werkzeug.datastructures import MultiDict

from .. import catalogue
from ..backup import ENTRY_FIELDS, custom_symptom_problem, entry_problem, profile_problem, zoned
from ..clock import to_local
from ..forms import PatientForm
from ..i18n import gettext as _
from ..models import Entry
from ..rows import symptom_ref
from .forms import CustomSymptomForm, entry_form_for

# For each kind, the backup's columns its form types, and the form field that types each; every
# kind also has a note and a source. Any other column of an entry must be empty.
FORM_FIELDS = {
    "symptom": {"severity": "severity", "region": "region", "side": "side", "duration": "duration",
                "frequency": "frequency"},
    "event": {"event_type": "event_type", "injured": "injured"},
    "weight": {"value": "weight"},
    "niv": {"value": "hours", "mask_problem": "mask_problem"},
    "checkin": {"value": None},  # the sum of the scores, counted again
    "carer": {"value": "coping"},
    "medication": {"name": "name", "dose": "dose", "ended_on": "stopped"},
    "visit": {"name": "name"},
    "question": {},
    "measure": {"measure": "measure", "value": None},  # with its details, read by measure_values
}
DAY_FIELD = {"medication": "started", "visit": "day"}  # entries dated by day; the others by their time


def as_form_text(value):
    """A column's value as a browser posts it: a blank or unticked field as an empty string."""
    if value is None or value is False:
        return ""
    if value is True:
        return "y"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def posted(values):
    return MultiDict([(name, as_form_text(value)) for name, value in values.items()])


def first_error(form):
    """(the field's label, its first message) of the first field the form refuses, or None."""
    if form.validate():
        return None
    name, errors = next(iter(form.errors.items()))
    field = form._fields.get(name)
    return (field.label.text if field is not None else name), str(errors[0])


def check_backup(backup):
    """BackupError naming the first part of the backup (profile, symptom, entry) its form refuses,
    with the form's own message; nothing when every part passes."""
    profile = dict(backup.profile)
    unit = profile["weight_unit"] if profile["weight_unit"] in catalogue.WEIGHT_UNITS else "kg"
    if profile["usual_weight_kg"] is not None:
        profile["usual_weight"] = round(catalogue.from_kg(profile.pop("usual_weight_kg"), unit), 1)
    if profile["onset_month"] is not None:
        profile["onset_month"] = profile["onset_month"].strftime("%Y-%m")
    profile.pop("created_at")
    problem = first_error(PatientForm(formdata=posted(profile), meta={"csrf": False}))
    if problem:
        raise profile_problem(*problem)
    customs = []
    for number, custom in enumerate(backup.custom_symptoms, 1):
        problem = first_error(CustomSymptomForm(formdata=posted({"name": custom["name"], "group": custom["group"]}),
                                                meta={"csrf": False}))
        if problem:
            raise custom_symptom_problem(number, *problem)
        customs.append(SimpleNamespace(id=number, name=custom["name"], group=custom["group"]))
    refs = {custom.name: symptom_ref(None, custom.id) for custom in customs}
    patient = SimpleNamespace(weight_unit=backup.profile["weight_unit"])
    for number, record in enumerate(backup.entries, 1):
        problem = entry_form_problem(record, patient, customs, refs)
        if problem:
            when = zoned(record.columns["occurred_at"], record.columns["tz"])
            raise entry_problem(number, {"occurred_at": when}, *problem)


def entry_form_problem(record, patient, customs, refs):
    columns, kind = record.columns, record.columns["kind"]
    typed = FORM_FIELDS[kind]
    for name in ENTRY_FIELDS:
        if name not in typed and name not in ("kind", "note", "source") and columns[name] is not None:
            return name, _("this kind of entry does not have this value.")
    if (record.symptom or record.custom_symptom) and kind != "symptom":
        return "symptom", _("this kind of entry does not have this value.")
    if (record.checkin is not None) != (kind == "checkin"):
        return "checkin", _("this kind of entry does not have this value.")
    if (record.details is not None or record.recording is not None) and kind != "measure":
        return "details", _("this kind of entry does not have this value.")
    values = {field: columns[name] for name, field in typed.items() if field}
    values.update(note=columns["note"], source=columns["source"])
    local = to_local(columns["occurred_at"], columns["tz"])
    if kind in DAY_FIELD:
        values[DAY_FIELD[kind]] = local.date()
    elif kind != "question":
        values["occurred_at"] = local.strftime("%Y-%m-%dT%H:%M:%S")
    if kind == "symptom":
        values["symptom"] = refs.get(record.custom_symptom) if record.custom_symptom else record.symptom
    elif kind == "weight" and columns["value"] is not None:
        values["weight"] = round(catalogue.from_kg(columns["value"], patient.weight_unit), 1)
    elif kind == "checkin":
        values.update({f"item_{domain}": score for domain, score in record.checkin.items()})
        columns["value"] = float(sum(record.checkin.values()))  # as the form counts it
    elif kind == "measure":
        values.update(measure_values(columns, record))
    form = entry_form_for(kind, patient, columns["tz"], customs=customs, formdata=posted(values), meta={"csrf": False})
    problem = first_error(form)
    if problem is None and kind == "measure":
        # What the form makes of it, as for an entry typed in: the rate from the passage, the details tidied.
        made = Entry(kind="measure")
        form.fill(made)
        columns["value"], record.details = made.value, made.details
    return problem


def measure_values(columns, record):
    """A measure's columns and details as its form's fields."""
    details = dict(record.details or {})
    values = {"method": details.pop("method", "hand"), "speech_seconds": details.pop("seconds", None)}
    values.update(details)
    measure = catalogue.MEASURES.get(columns["measure"])
    if measure is not None and not measure.derived:
        values["value"] = columns["value"]
    if record.recording is not None:
        values["keep_recording"] = True
        values["recording"] = f"data:{record.recording['mime_type']};base64,{record.recording['audio']}"
    return values
