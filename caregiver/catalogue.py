"""The app's medical vocabulary as data: symptoms, groups, regions, entry kinds, check-in domains.

Templates, forms, the demo generator and the reports all read these tables; none restates them.
The facts behind them are in shared/FACTS.md.
"""
from dataclasses import dataclass

from .i18n import lazy_gettext as _l


DIAGNOSES = {
    "als": _l("ALS (amyotrophic lateral sclerosis)"),
    "pls": _l("PLS (primary lateral sclerosis)"),
    "pma": _l("PMA (progressive muscular atrophy)"),
    "pbp": _l("Progressive bulbar palsy"),
    "undiagnosed": _l("Not yet diagnosed"),
    "other": _l("Other"),
}

# King's and MiToS stages were validated in ALS (Balendra 2014; Chiò 2015). They are shown for ALS,
# shown with a caveat for these diagnoses, and not estimated for any other (docs/stages.md).
STAGES_VALIDATED_FOR = frozenset({"als"})
STAGES_WITH_CAVEAT_FOR = frozenset({"pls", "pma", "pbp", "undiagnosed"})

ONSET_REGIONS = {
    "bulbar": _l("Speech or swallowing (bulbar)"),
    "arm": _l("Arm or hand"),
    "leg": _l("Leg or foot"),
    "breathing": _l("Breathing"),
    "other": _l("Other or not sure"),
}

BREATHING_SUPPORT = {
    "none": _l("None"),
    "niv": _l("Mask ventilation (NIV)"),
    "invasive": _l("Ventilation through a tracheostomy"),
}

WEIGHT_UNITS = {"kg": _l("kilograms (kg)"), "lb": _l("pounds (lb)")}
KG_PER_LB = 0.45359237
# The range a real adult weight falls in, per unit.
WEIGHT_LIMITS = {"kg": (20, 300), "lb": (44, 660)}

GROUPS = {
    "umn": _l("Upper motor neuron"),
    "lmn": _l("Lower motor neuron"),
    "bulbar": _l("Speech and swallowing (bulbar)"),
    "breathing": _l("Breathing"),
    "thinking": _l("Thinking and mood"),
    "general": _l("General"),
}

REGIONS = {
    "face": _l("face"),
    "tongue": _l("tongue"),
    "throat": _l("throat"),
    "neck": _l("neck"),
    "shoulder": _l("shoulder"),
    "arm": _l("arm"),
    "hand": _l("hand"),
    "fingers": _l("fingers"),
    "chest": _l("chest"),
    "trunk": _l("back and trunk"),
    "leg": _l("leg"),
    "knee": _l("knee"),
    "calf": _l("calf"),
    "ankle": _l("ankle"),
    "foot": _l("foot"),
}

SIDES = {"left": _l("left"), "right": _l("right"), "both": _l("both sides")}

# A place with its side as one phrase each, so that translators can make the words agree
# ("pierna derecha", "brazo derecho").
REGION_SIDE_LABELS = {
    ("shoulder", "left"): _l("left shoulder"), ("shoulder", "right"): _l("right shoulder"),
    ("shoulder", "both"): _l("both shoulders"),
    ("arm", "left"): _l("left arm"), ("arm", "right"): _l("right arm"), ("arm", "both"): _l("both arms"),
    ("hand", "left"): _l("left hand"), ("hand", "right"): _l("right hand"), ("hand", "both"): _l("both hands"),
    ("fingers", "left"): _l("fingers of the left hand"), ("fingers", "right"): _l("fingers of the right hand"),
    ("fingers", "both"): _l("fingers of both hands"),
    ("leg", "left"): _l("left leg"), ("leg", "right"): _l("right leg"), ("leg", "both"): _l("both legs"),
    ("knee", "left"): _l("left knee"), ("knee", "right"): _l("right knee"), ("knee", "both"): _l("both knees"),
    ("calf", "left"): _l("left calf"), ("calf", "right"): _l("right calf"), ("calf", "both"): _l("both calves"),
    ("ankle", "left"): _l("left ankle"), ("ankle", "right"): _l("right ankle"),
    ("ankle", "both"): _l("both ankles"),
    ("foot", "left"): _l("left foot"), ("foot", "right"): _l("right foot"), ("foot", "both"): _l("both feet"),
}

DURATIONS = {
    "seconds": _l("a few seconds"),
    "minutes": _l("a few minutes"),
    "hour": _l("up to an hour"),
    "hours": _l("several hours"),
    "all_day": _l("most of the day"),
}

FREQUENCIES = {
    "once": _l("once"),
    "few": _l("a few times today"),
    "many": _l("many times today"),
    "constant": _l("all the time"),
}

SOURCES = {
    "carer": _l("I saw or noticed it"),
    "patient": _l("The patient told me, or I am the patient"),
}


def severity_word(severity):
    """0 none, 1-3 mild, 4-6 moderate, 7-10 severe."""
    if severity is None:
        return None
    if severity == 0:
        return _l("none")
    if severity <= 3:
        return _l("mild")
    if severity <= 6:
        return _l("moderate")
    return _l("severe")


@dataclass(frozen=True)
class Symptom:
    key: str
    name: object  # lazy string
    groups: tuple  # keys of GROUPS, the main one first
    regions: tuple = ()  # keys of REGIONS
    event_type: str = ""  # logged as this event rather than as a symptom
    explained_by: str = ""  # the explainer page that covers it, when it has none of its own

    @property
    def group(self):
        return self.groups[0]

    @property
    def explainer(self):
        return self.explained_by or self.key


SYMPTOMS = {
    s.key: s
    for s in (
        Symptom("weakness", _l("Weakness"), ("lmn", "umn"), ("arm", "hand", "leg", "neck", "trunk")),
        Symptom("wasting", _l("Muscle wasting"), ("lmn",), ("hand", "shoulder", "leg")),
        Symptom("twitching", _l("Twitching (fasciculations)"), ("lmn",), ("arm", "leg", "trunk", "tongue")),
        Symptom("cramps", _l("Cramps"), ("lmn",), ("calf", "leg", "foot", "hand")),
        Symptom("floppy_limb", _l("Floppy limb"), ("lmn",), ("arm", "leg")),
        Symptom("weak_grip", _l("Dropping things, weak grip"), ("lmn",), ("hand",)),
        Symptom("foot_drop", _l("Foot drop, tripping"), ("lmn",), ("ankle", "foot")),
        Symptom("head_drop", _l("Head drop"), ("lmn",), ("neck",)),
        Symptom("stiffness", _l("Stiffness (spasticity)"), ("umn",), ("leg", "arm")),
        Symptom("spasms", _l("Spasms"), ("umn",), ("leg", "arm", "trunk")),
        Symptom("clonus", _l("Jerking that repeats in a beat (clonus)"), ("umn",), ("ankle", "knee")),
        Symptom("slow_movement", _l("Slow or clumsy movement"), ("umn",), ("hand", "leg")),
        Symptom("fine_tasks", _l("Trouble with fine tasks"), ("umn", "lmn"), ("fingers", "hand")),
        Symptom("emotional_lability", _l("Laughing or crying that is hard to stop"), ("umn",)),
        Symptom("slurred_speech", _l("Slurred speech"), ("bulbar",)),
        Symptom("voice_change", _l("Voice change"), ("bulbar",)),
        Symptom("swallowing", _l("Swallowing difficulty"), ("bulbar",)),
        Symptom("drinking_less", _l("Drinking less"), ("bulbar",), explained_by="swallowing"),
        Symptom("choking_meals", _l("Choking or coughing at meals"), ("bulbar",)),
        Symptom("drooling", _l("Drooling"), ("bulbar",)),
        Symptom("thick_mucus", _l("Thick mucus"), ("bulbar", "breathing")),
        Symptom("tongue_changes", _l("Tongue changes"), ("bulbar",), ("tongue",)),
        Symptom("breathless_effort", _l("Breathless on effort"), ("breathing",)),
        Symptom("breathless_lying", _l("Breathless lying flat"), ("breathing",)),
        # Red flags of their own (shared/FACTS.md), explained on the page of the sign they go with.
        Symptom("breathless_rest", _l("Breathless at rest or while talking"), ("breathing",),
                explained_by="breathless_effort"),
        Symptom("sleepiness_confusion", _l("New daytime sleepiness, confusion or nightmares"), ("breathing",),
                explained_by="morning_headache"),
        Symptom("poor_sleep", _l("Poor sleep"), ("breathing",)),
        Symptom("morning_headache", _l("Morning headache"), ("breathing",)),
        Symptom("weak_cough", _l("Weak cough"), ("breathing",)),
        Symptom("behaviour_change", _l("Behaviour change"), ("thinking",)),
        Symptom("thinking_change", _l("Thinking or word-finding change"), ("thinking",)),
        Symptom("low_mood", _l("Low mood or worry"), ("general",)),
        Symptom("tiredness", _l("Tiredness"), ("general",)),
        Symptom("weight_loss", _l("Weight loss"), ("general",)),
        Symptom("falls", _l("Falls"), ("general",), event_type="fall"),
    )
}
# What the log form offers as symptoms: falls are logged as events, with their own details.
LOGGABLE_SYMPTOMS = {key: s for key, s in SYMPTOMS.items() if not s.event_type}

EVENT_TYPES = {
    "fall": _l("Fall"),
    "near_fall": _l("Near-fall"),
    "choking": _l("Choking episode"),
    "chest_infection": _l("Chest infection"),
    "hospital": _l("Hospital visit"),
    "other": _l("Other event"),
}

# Every kind of diary entry, in the order the "add" menu shows them.
ENTRY_KINDS = {
    "symptom": _l("Symptom"),
    "event": _l("Event"),
    "weight": _l("Weight"),
    "niv": _l("Hours on NIV"),
    "checkin": _l("Functional check-in"),
    "carer": _l("Carer check"),
    "medication": _l("Medication"),
    "visit": _l("Appointment"),
    "question": _l("Question for the appointment"),
    "measure": _l("Measure"),
}


@dataclass(frozen=True)
class Measure:
    """A number measured the same way each time: with the phone (`on_phone`) or a home device.

    Limits are what a form accepts; `ucum` and `loinc` are for the FHIR export (LOINC where a code
    exists). `derived` measures are worked out from their details (seconds, taps), not typed.
    """

    key: str
    name: object
    unit: object
    ucum: str
    low: float
    high: float
    explainer: str
    places: int = 0
    loinc: str = ""
    on_phone: bool = False
    derived: bool = False


MEASURES = {m.key: m for m in (
    Measure("breath_count", _l("Single-breath count"), _l("numbers"), "{count}", 0, 150, "breath-count",
            on_phone=True),
    Measure("speech_rate", _l("Speaking rate"), _l("words a minute"), "{words}/min", 10, 400, "speaking-rate",
            on_phone=True, derived=True),
    Measure("tapping", _l("Finger tapping"), _l("taps in 10 seconds"), "{taps}/(10.s)", 0, 200, "finger-tapping",
            on_phone=True, derived=True),
    Measure("cough_flow", _l("Peak cough flow"), "L/min", "L/min", 0, 900, "home-readings"),
    Measure("peak_flow", _l("Peak flow"), "L/min", "L/min", 30, 900, "home-readings", loinc="19935-6"),
    Measure("vital_capacity", _l("Vital capacity (FVC or VC)"), "L", "L", 0.1, 8, "home-readings", places=2,
            loinc="19870-5"),
    Measure("spo2", _l("Oxygen level (SpO2)"), "%", "%", 50, 100, "home-readings", loinc="59408-5"),
)}
# FVC as a percentage of the predicted value, a component of the vital capacity's Observation.
PERCENT_PREDICTED_LOINC = "19872-1"
MEASURE_METHODS = {
    "microphone": _l("counted by the microphone"),
    "taps": _l("counted by taps on the screen"),
    "hand": _l("typed in by hand"),
}
# What a measure's details are, as its form asks for them and its entry shows them.
MEASURE_DETAILS = {
    "seconds": _l("Seconds of reading aloud"),
    "pause_share": _l("Pauses, as a percentage of the time"),
    "right_taps": _l("Taps with the right hand in 10 seconds"),
    "left_taps": _l("Taps with the left hand in 10 seconds"),
    "right_variation": _l("How much the time between taps varied, right hand (%)"),
    "left_variation": _l("How much the time between taps varied, left hand (%)"),
    "percent_predicted": _l("Percent of the predicted value (if the device or clinic gives it)"),
}
TAPPING_SECONDS = 10
TAPPING_HANDS = {"right": _l("Right hand"), "left": _l("Left hand")}
# Recordings kept for the speech therapist: the phone sends them as data: URLs inside the form,
# so that offline sync carries them like any field, and a request stays under MAX_CONTENT_LENGTH.
RECORDING_TYPES = ("audio/webm", "audio/ogg", "audio/mp4", "audio/wav")
MAX_RECORDING_BYTES = 600_000


@dataclass(frozen=True)
class CheckInDomain:
    """One everyday ability of the functional check-in, scored 4 (as before) to 0."""

    key: str
    name: object
    area: str  # key of CHECKIN_AREAS
    levels: tuple  # wording for scores 4, 3, 2, 1, 0 (our own words, not the ALSFRS-R's)


CHECKIN_AREAS = {
    "bulbar": _l("Speech and swallowing"),
    "fine": _l("Hands and self-care"),
    "gross": _l("Moving about"),
    "breathing": _l("Breathing"),
}

CHECKIN_DOMAINS = {
    d.key: d
    for d in (
        CheckInDomain("speech", _l("Speech"), "bulbar", (
            _l("Talks as before"),
            _l("Speech has changed, but others understand it"),
            _l("Others understand only when told again"),
            _l("Speech helped by writing, pointing or a device"),
            _l("No speech that others can use"),
        )),
        CheckInDomain("saliva", _l("Saliva"), "bulbar", (
            _l("As before"),
            _l("A little too much saliva in the mouth; may dribble at night"),
            _l("Clearly too much saliva; may dribble a little"),
            _l("Far too much saliva, with some dribbling"),
            _l("Dribbles all the time; needs a tissue or cloth always"),
        )),
        CheckInDomain("swallowing", _l("Swallowing"), "bulbar", (
            _l("Eats as before"),
            _l("Sometimes chokes or coughs when eating"),
            _l("Needs softer food or a changed diet"),
            _l("Needs some food or drink by a feeding tube"),
            _l("Takes nothing by mouth; fed only by a tube"),
        )),
        CheckInDomain("handwriting", _l("Handwriting"), "fine", (
            _l("Writes as before"),
            _l("Slower or messier, but every word can be read"),
            _l("Not every word can be read"),
            _l("Can hold a pen but cannot write words"),
            _l("Cannot hold a pen"),
        )),
        CheckInDomain("cutting", _l("Cutting food and using cutlery (or handling a feeding tube)"), "fine", (
            _l("As before"),
            _l("Slow or clumsy, but needs no help"),
            _l("Can cut most food, slowly and clumsily, with some help"),
            _l("Someone else cuts the food; can still feed themself slowly"),
            _l("Needs to be fed, or needs help with all tube feeds"),
        )),
        CheckInDomain("dressing", _l("Dressing and washing"), "fine", (
            _l("As before"),
            _l("Does it alone, but slower or with more effort"),
            _l("Needs help now and then, or uses other ways"),
            _l("Needs help with most of it"),
            _l("Needs help with all of it"),
        )),
        CheckInDomain("turning", _l("Turning in bed and fixing the covers"), "gross", (
            _l("As before"),
            _l("Slower or clumsier, but needs no help"),
            _l("Can turn or fix covers alone, with great effort"),
            _l("Can start to turn but needs help to finish"),
            _l("Cannot turn without help"),
        )),
        CheckInDomain("walking", _l("Walking"), "gross", (
            _l("Walks as before"),
            _l("Some trouble walking"),
            _l("Walks with help: a stick, frame or person"),
            _l("Can move legs but cannot walk"),
            _l("Cannot move legs on purpose"),
        )),
        CheckInDomain("stairs", _l("Climbing stairs"), "gross", (
            _l("As before"),
            _l("Slower"),
            _l("Needs a rail or to rest, or is a little unsteady"),
            _l("Needs someone to help"),
            _l("Cannot climb stairs"),
        )),
        CheckInDomain("dyspnoea", _l("Short of breath"), "breathing", (
            _l("Not short of breath"),
            _l("Short of breath when walking"),
            _l("Short of breath when eating, washing or dressing"),
            _l("Short of breath when sitting or lying still"),
            _l("Very hard to breathe; thinking about breathing support"),
        )),
        CheckInDomain("orthopnoea", _l("Breathing when lying flat"), "breathing", (
            _l("No trouble"),
            _l("Some trouble sleeping at night because of breathlessness; no more than two pillows"),
            _l("Needs more than two pillows to sleep, because of breathlessness"),
            _l("Can only sleep sitting up"),
            _l("Cannot sleep because of breathlessness"),
        )),
        CheckInDomain("breathing_support", _l("Breathing support"), "breathing", (
            _l("None"),
            _l("Uses mask ventilation (NIV) now and then"),
            _l("Uses NIV every night"),
            _l("Uses NIV day and night"),
            _l("Breathing through a tube in the neck (tracheostomy)"),
        )),
    )
}
CHECKIN_ITEM_MAX = 4
CHECKIN_MAX_SCORE = CHECKIN_ITEM_MAX * len(CHECKIN_DOMAINS)  # 48
DOMAIN_AREA = {key: domain.area for key, domain in CHECKIN_DOMAINS.items()}
AREA_DOMAINS = {area: tuple(key for key, a in DOMAIN_AREA.items() if a == area) for area in CHECKIN_AREAS}
CHECKIN_AREA_MAX = CHECKIN_ITEM_MAX * max(len(domains) for domains in AREA_DOMAINS.values())  # 12


# Regions that come in pairs, so the side matters.
SIDED_REGIONS = frozenset(region for region, _side in REGION_SIDE_LABELS)


def region_label(region, side=None):
    """'right calf', 'both calves', 'tongue': one translatable phrase per combination."""
    if not region:
        return ""
    return str(REGION_SIDE_LABELS.get((region, side)) or REGIONS.get(region, region))



@dataclass(frozen=True)
class Role:
    name: object  # as the team page shows it
    invite: object  # what an invite with this role offers


# Roles on a patient, weakest first: each role can do everything the ones before it can.
ROLES = {
    "read": Role(_l("Can read"), _l("Only read the diary")),
    "log": Role(_l("Can log"), _l("Read and add to the diary")),
    "owner": Role(_l("Manages the team"), _l("Everything, including managing the team")),
}


def to_kg(weight, unit):
    return float(weight) * KG_PER_LB if unit == "lb" else float(weight)


def from_kg(kg, unit):
    return kg / KG_PER_LB if unit == "lb" else kg


@dataclass(frozen=True)
class TimeRange:
    label: object
    months: int | None = None  # a fixed length back from today


# The one table of time ranges, offered by the history, the trends page and the visit summary.
TIME_RANGES = {
    "all": TimeRange(_l("All time")),
    "since_visit": TimeRange(_l("Since the last appointment")),
    "1": TimeRange(_l("Last month"), 1),
    "3": TimeRange(_l("Last 3 months"), 3),
    "6": TimeRange(_l("Last 6 months"), 6),
    "12": TimeRange(_l("Last 12 months"), 12),
    "custom": TimeRange(_l("Dates below")),
}


@dataclass(frozen=True)
class RangeChoice:
    """What a range form (or the summary command) asks for: a TIME_RANGES key, and the custom days."""

    key: str = "since_visit"
    since_day: object = None  # a date
    until_day: object = None


NICE_NG42 = "NICE NG42"


@dataclass(frozen=True)
class Topic:
    """A subject the visit summary raises for the appointment (reports decide when: summary.topics_for).

    It is raised when one of `symptoms` is new or worse since the last appointment, or one of the
    check-in `items` fell over the range; `also` names a further rule of the summary's own. Once a
    support is in place (a key of SUPPORTS), the topic is about living with it: `in_place` gives
    its title then.
    """

    key: str
    title: object
    guideline: str = NICE_NG42
    symptoms: tuple = ()
    items: tuple = ()
    also: str = ""
    in_place: tuple = ()  # ((support, title), ...), the first support in place wins

    def title_for(self, supports):
        """The title for a patient with these supports in place (supports_in_place)."""
        return next((title for support, title in self.in_place if support in supports), self.title)


# Supports a patient may already have, as the profile records them: a feeding tube, and any
# breathing support but "none".
SUPPORTS = ("feeding_tube",) + tuple(key for key in BREATHING_SUPPORT if key != "none")


def supports_in_place(feeding_tube, breathing_support):
    """The SUPPORTS in place for a profile: {'feeding_tube', 'niv'}, say."""
    return frozenset((["feeding_tube"] if feeding_tube else []) +
                     ([breathing_support] if breathing_support in SUPPORTS else []))


TOPICS = {
    t.key: t
    for t in (
        Topic("nutrition", _l("Eating, weight and whether a feeding tube would help"),
              symptoms=("swallowing", "choking_meals", "weight_loss"), items=("swallowing",), also="weight_down",
              in_place=(("feeding_tube", _l("Living with the feeding tube: feeds, weight, tube care and what is "
                                            "still safe by mouth")),)),
        Topic("breathing", _l("Breathing tests and breathing support (NIV)"),
              symptoms=("breathless_lying", "breathless_effort", "morning_headache", "poor_sleep", "weak_cough"),
              items=("dyspnoea", "orthopnoea", "breathing_support"), also="niv_mask",
              in_place=(("invasive", _l("Ventilation through the tracheostomy: care, secretions and support")),
                        ("niv", _l("Using NIV: hours a day, mask fit and comfort, and the machine's settings")))),
        Topic("falls", _l("Falls, walking aids and physiotherapy"), also="falls"),
        Topic("communication", _l("Speech and communication aids"),
              symptoms=("slurred_speech", "voice_change"), items=("speech",)),
        Topic("saliva", _l("Saliva and mucus"), symptoms=("drooling", "thick_mucus"), items=("saliva",)),
        Topic("cramps_stiffness", _l("Cramps and stiffness"), symptoms=("cramps", "stiffness", "spasms")),
        Topic("mood_thinking", _l("Mood, emotions, thinking and behaviour"),
              symptoms=("low_mood", "emotional_lability", "thinking_change", "behaviour_change")),
        Topic("carer", _l("Support for the carer"), also="carer_low"),
    )
}


@dataclass(frozen=True)
class ReportSection:
    """A box on page one of the visit summary, and the symptoms it lists."""

    key: str
    title: object
    symptoms: tuple = ()


REPORT_SECTIONS = (
    ReportSection("nutrition", _l("Nutrition"), ("swallowing", "choking_meals")),
    ReportSection("breathing", _l("Breathing"),
                  ("breathless_effort", "breathless_lying", "poor_sleep", "morning_headache", "weak_cough")),
    ReportSection("movement", _l("Movement"), ("cramps", "twitching", "stiffness")),
    ReportSection("other", _l("Other"), ("drooling", "slurred_speech", "low_mood", "emotional_lability",
                                         "thinking_change", "behaviour_change")),
)
REPORT_SECTION_BY_KEY = {section.key: section for section in REPORT_SECTIONS}
# The events a month the charts and tables count.
CHARTED_EVENTS = ("fall", "near_fall", "choking")


# ------------------------------------------------------------------------------------------------
# The clinic's side
#
# Roles of clinic staff: a clinician reads and acknowledges; an admin also manages the staff.
CLINIC_ROLES = {
    "clinician": _l("Clinician: reads diaries and acknowledges alerts"),
    "admin": _l("Clinic admin: also manages the staff"),
}
PROFESSIONS = {
    "neurologist": _l("Neurologist"),
    "nurse": _l("Nurse"),
    "therapist": _l("Therapist"),
    "dietitian": _l("Dietitian"),
    "coordinator": _l("Care coordinator"),
    "other": _l("Clinic staff"),
}
# What clinic staff opened, as the family's record of it says.
CLINIC_READS = {
    "summary": _l("the visit summary"),
    "pdf": _l("the visit summary PDF"),
    "trends": _l("the trends"),
    "alerts": _l("the alerts"),
    "history": _l("the full history"),
}
# The dashboard's filters: (key, label).
CLINIC_FILTERS = {
    "all": _l("Every family"),
    "alerts": _l("Open alerts"),
    "declining": _l("Declining fastest"),
    "quiet": _l("Not logging"),
    "appointment": _l("Appointment this week"),
}
