"""The diary as a FHIR R4 Bundle, for a clinic's record system: Patient, Condition (the diagnosis),
an Observation per symptom, weight, functional check-in and measure, and a MedicationStatement per medicine.

Codes are given only where they are certain (LOINC body weight, peak flow, FVC and SpO2; SNOMED CT for ALS and for motor
neuron disease); everything else is carried as text, which FHIR allows and no one can misread.
Every Observation says it was reported by the family.
"""
from datetime import timezone

from flask_babel import force_locale

from . import catalogue
from .backup import patient_entries, zoned

SNOMED, LOINC, UCUM = "http://snomed.info/sct", "http://loinc.org", "http://unitsofmeasure.org"
DIAGNOSIS_CODES = {"als": ("86044005", "Amyotrophic lateral sclerosis")}
MND_CODE = ("37340000", "Motor neuron disease")


def fhir_bundle(patient, made_at):
    patient_ref = f"urn:uuid:patient-{patient.id}"
    resources = [(patient_ref, patient_resource(patient))]
    condition = condition_resource(patient, patient_ref)
    if condition:
        resources.append((f"urn:uuid:condition-{patient.id}", condition))
    for entry in patient_entries(patient):
        if entry.deleted_at is not None:
            continue
        resource = entry_resource(entry, patient_ref)
        if resource:
            resources.append((f"urn:uuid:{entry.uuid}", resource))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": made_at.replace(tzinfo=timezone.utc).isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources],
    }


def patient_resource(patient):
    resource = {"resourceType": "Patient", "name": [{"text": patient.display_name}]}
    if patient.birth_year:
        resource["birthDate"] = str(patient.birth_year)
    return resource


def condition_resource(patient, patient_ref):
    if patient.diagnosis == "undiagnosed":
        return None
    text = str(catalogue.DIAGNOSES[patient.diagnosis])
    code = DIAGNOSIS_CODES.get(patient.diagnosis) or (MND_CODE if patient.diagnosis != "other" else None)
    concept = {"text": text}
    if code:
        concept["coding"] = [{"system": SNOMED, "code": code[0], "display": code[1]}]
    resource = {"resourceType": "Condition", "subject": {"reference": patient_ref}, "code": concept,
                "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                               "code": "active"}]}}
    if patient.onset_month:
        resource["onsetDateTime"] = patient.onset_month.strftime("%Y-%m")
    return resource


def observation(entry, patient_ref, code, **values):
    resource = {
        "resourceType": "Observation", "status": "final", "code": code,
        "subject": {"reference": patient_ref},
        "effectiveDateTime": zoned(entry.occurred_at, entry.tz),
        "performer": [{"display": "Patient (self-report)" if entry.source == "patient" else "Family carer"}],
        **values,
    }
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def entry_resource(entry, patient_ref):
    if entry.kind == "symptom":
        custom = entry.custom_symptom
        name = custom.name if custom else str(catalogue.SYMPTOMS[entry.symptom_key].name)
        values = {"valueInteger": entry.severity} if entry.severity is not None else {}
        if entry.region:
            values["bodySite"] = {"text": catalogue.region_label(entry.region, entry.side)}
        return observation(entry, patient_ref, {"text": name}, category=[{"text": "Symptom"}], **values)
    if entry.kind == "weight":
        return observation(
            entry, patient_ref,
            {"coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"}], "text": "Body weight"},
            category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                   "code": "vital-signs"}]}],
            valueQuantity={"value": round(entry.value, 2), "unit": "kg", "system": UCUM, "code": "kg"})
    if entry.kind == "checkin":
        return observation(
            entry, patient_ref, {"text": "Family-reported functional check-in (ALSFRS-R domains), total 0-48"},
            valueInteger=int(entry.value),
            component=[{"code": {"text": item.domain}, "valueInteger": item.score} for item in entry.checkin_items])
    if entry.kind == "measure":
        return measure_resource(entry, patient_ref)
    if entry.kind == "medication":
        period = {"start": zoned(entry.occurred_at, entry.tz)[:10]}
        if entry.ended_on:
            period["end"] = entry.ended_on.isoformat()
        resource = {"resourceType": "MedicationStatement", "status": "completed" if entry.ended_on else "active",
                    "medicationCodeableConcept": {"text": entry.name}, "subject": {"reference": patient_ref},
                    "effectivePeriod": period}
        if entry.dose:
            resource["dosage"] = [{"text": entry.dose}]
        return resource
    return None


LOINC_DISPLAY = {
    "19935-6": "Maximum expiratory gas flow Respiratory system airway by Peak flow meter",
    "19870-5": "Forced vital capacity [Volume] Respiratory system by Spirometry",
    "59408-5": "Oxygen saturation in Arterial blood by Pulse oximetry",
    catalogue.PERCENT_PREDICTED_LOINC: "Forced vital capacity [Volume] Respiratory system measured/predicted",
}


def measure_resource(entry, patient_ref):
    """A measure as an Observation: LOINC where a code exists, else its name; how it was taken as the method."""
    measure = catalogue.MEASURES[entry.measure]
    details = entry.details or {}
    with force_locale("en"):
        name, unit = str(measure.name), str(measure.unit)
        method = str(catalogue.MEASURE_METHODS.get(details.get("method"), catalogue.MEASURE_METHODS["hand"]))
    code = {"text": name}
    if measure.loinc:
        code["coding"] = [{"system": LOINC, "code": measure.loinc, "display": LOINC_DISPLAY[measure.loinc]}]
    values = {"valueQuantity": {"value": entry.value, "unit": unit, "system": UCUM, "code": measure.ucum},
              "method": {"text": method}}
    components = [{"code": {"text": name}, "valueQuantity": {"value": value, "system": UCUM, "code": "1"}}
                  for name, value in details.items() if name not in ("method", "passage", "percent_predicted")]
    if "percent_predicted" in details:
        components.append({"code": {"coding": [{"system": LOINC, "code": catalogue.PERCENT_PREDICTED_LOINC,
                                                "display": LOINC_DISPLAY[catalogue.PERCENT_PREDICTED_LOINC]}]},
                           "valueQuantity": {"value": details["percent_predicted"], "unit": "%", "system": UCUM,
                                             "code": "%"}})
    if "passage" in details:
        components.append({"code": {"text": "passage"}, "valueString": details["passage"]})
    if components:
        values["component"] = components
    return observation(entry, patient_ref, code, category=[{"text": "Measure"}], **values)
