"""The symptom catalogue and check-in domains agree with shared/FACTS.md and with each other."""
from caregiver import catalogue


def test_about_thirty_symptoms_each_with_group_regions_and_explainer():
    assert 28 <= len(catalogue.SYMPTOMS) <= 36
    for symptom in catalogue.SYMPTOMS.values():
        assert symptom.groups and set(symptom.groups) <= set(catalogue.GROUPS), symptom.key
        assert set(symptom.regions) <= set(catalogue.REGIONS), symptom.key
        # Its own page, or (for a red flag of its own) the page of the sign it goes with.
        assert symptom.explainer == symptom.key or symptom.explained_by in catalogue.SYMPTOMS, symptom.key


def test_groups_follow_the_facts():
    groups = {key: s.groups for key, s in catalogue.SYMPTOMS.items()}
    assert groups["twitching"] == ("lmn",) and groups["wasting"] == ("lmn",) and groups["cramps"] == ("lmn",)
    assert groups["stiffness"] == ("umn",) and groups["clonus"] == ("umn",)
    assert groups["emotional_lability"] == ("umn",)  # pseudobulbar affect is an upper motor neuron sign
    assert set(groups["weakness"]) == {"lmn", "umn"} and set(groups["fine_tasks"]) == {"lmn", "umn"}
    assert "bulbar" in groups["swallowing"] and "breathing" in groups["breathless_lying"]
    assert "breathing" in groups["thick_mucus"] and "bulbar" in groups["thick_mucus"]
    assert groups["behaviour_change"] == ("thinking",)
    # Rigidity, tremor and dystonia are not upper motor neuron signs and are not in the catalogue.
    names = " ".join(str(s.name).lower() for s in catalogue.SYMPTOMS.values())
    assert "rigidity" not in names and "tremor" not in names


def test_every_group_has_symptoms():
    for group in catalogue.GROUPS:
        assert any(group in s.groups for s in catalogue.SYMPTOMS.values()), group


def test_the_check_in_has_twelve_domains_scored_four_to_zero():
    assert len(catalogue.CHECKIN_DOMAINS) == 12 and catalogue.CHECKIN_MAX_SCORE == 48
    for domain in catalogue.CHECKIN_DOMAINS.values():
        assert len(domain.levels) == 5 and domain.area in catalogue.CHECKIN_AREAS
    areas = [d.area for d in catalogue.CHECKIN_DOMAINS.values()]
    assert {area: areas.count(area) for area in catalogue.CHECKIN_AREAS} == {
        "bulbar": 3, "fine": 3, "gross": 3, "breathing": 3}


def test_region_labels_name_the_side():
    assert catalogue.region_label("calf", "right") == "right calf"
    assert catalogue.region_label("calf", "both") == "both calves"
    assert catalogue.region_label("tongue", "left") == "tongue"  # a side only for paired regions
    assert catalogue.region_label(None) == ""


def test_severity_words():
    words = [str(catalogue.severity_word(n)) for n in range(11)]
    assert words == ["none"] + ["mild"] * 3 + ["moderate"] * 3 + ["severe"] * 4


def test_weight_units_round_trip():
    assert round(catalogue.to_kg(160, "lb"), 2) == 72.57
    assert round(catalogue.from_kg(catalogue.to_kg(160, "lb"), "lb"), 6) == 160
