"""WTForms' built-in messages that our forms can show, marked so that they reach our catalogue."""


def N_(message):
    return message


BUILT_IN_MESSAGES = (
    N_("Not a valid integer value."),
    N_("Not a valid float value."),
    N_("Not a valid decimal value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid choice."),
    N_("This field is required."),
    N_("Invalid email address."),
)
