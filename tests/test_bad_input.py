"""No input produces a 500: hostile values in every field of every form and every query string."""
from .conftest import FIELDS, sign_in

HOSTILE = ["", " ", "-1", "0", "1e309", "NaN", "-inf", "99999999999999999999", "3.5", "<script>alert(1)</script>",
           "\x00", "'; DROP TABLE entry; --", "2026-02-30T25:61", "0000-00-00", "9999-12-31T23:59", "0001-01-01T00:00", "0001-01-01", "ü" * 3000,
           "custom-", "custom-0", "../../etc/passwd", "true", "[]", "{}"]
def test_hostile_values_in_every_field_never_cause_a_500(app, client, every_form):
    patient_id, urls = every_form
    sign_in(client)
    for url in urls:
        for value in HOSTILE:
            response = client.post(url, data={field: value for field in FIELDS})
            assert response.status_code < 500, (url, value)
    for path in ("/patients/{patient_id}/history?since={v}&until={v}&page={v}&kind={v}&group={v}&symptom={v}",
                 "/explain/?q={v}", "/patients/{patient_id}/?saved={v}&undo={v}",
                 "/patients/{patient_id}/entries/{v}", "/patients/{v}/", "/shared/{v}",
                 "/patients/{patient_id}/report/preview?range={v}&since={v}&until={v}&language={v}&paper={v}"):
        for value in HOSTILE[:15]:
            response = client.get(path.format(patient_id=patient_id, v=value.replace("\x00", "%00")))
            assert response.status_code < 500, (path, value)
