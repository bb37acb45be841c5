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


def levels(key):
    """The check-in answers of one domain, for scores 4, 3, 2, 1, 0, in lower case."""
    return [str(text).lower() for text in catalogue.CHECKIN_DOMAINS[key].levels]


def test_the_orthopnoea_answers_keep_the_meaning_of_the_item():
    """Lying flat: score 3 is some trouble sleeping *because of* breathlessness, at most two pillows."""
    four, three, two, one, zero = levels("orthopnoea")
    assert "breath" in three and "not mainly" not in three and "two pillows" in three
    assert "more than two pillows" in two and "sitting up" in one
    assert "breath" in zero  # cannot sleep because of breathing, not "cannot sleep" for any reason


def test_check_in_answers_follow_their_items():
    """Each answer says what its ALSFRS-R score means, in our own words (shared/FACTS.md)."""
    assert "softer food" in levels("swallowing")[2] and "tube" in levels("swallowing")[3] and "only by a tube" in levels("swallowing")[4]
    assert "every word can be read" in levels("handwriting")[1] and "not every word" in levels("handwriting")[2]
    assert "some help" in levels("cutting")[2] and "feed themself" in levels("cutting")[3]
    assert "walking" in levels("dyspnoea")[1] and "sitting or lying" in levels("dyspnoea")[3]
    assert "now and then" in levels("breathing_support")[1] and "every night" in levels("breathing_support")[2]
    assert "day and night" in levels("breathing_support")[3] and "tracheostomy" in levels("breathing_support")[4]
    saliva = levels("saliva")
    assert "night" in saliva[1] and "dribble a little" in saliva[2] and "some dribbling" in saliva[3]
    assert "all the time" in saliva[4]


def test_clonus_is_named_as_jerking_not_shaking():
    name = str(catalogue.SYMPTOMS["clonus"].name).lower()
    assert "jerk" in name and "shak" not in name and "tremor" not in name
