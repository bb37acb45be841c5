"""Every user-visible string goes through gettext, and the catalogue template is up to date."""
import os
import subprocess
import sys

from babel.messages.pofile import read_po

from caregiver.cli import keyword_options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def msgids(path):
    with open(path, "rb") as catalogue:
        return {message.id for message in read_po(catalogue) if message.id}


def test_messages_pot_holds_every_message_of_the_code_and_templates(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", *keyword_options(),
         "-o", str(fresh), "."],
        cwd=ROOT, check=True,
    )
    extracted = msgids(fresh)
    # Strings from Python (lazy and plain), templates and WTForms' own messages are all found.
    assert {"Cramps", "Saved: %(entry)s", "What did you notice?", "Not a valid choice."} <= extracted
    committed = msgids(os.path.join(ROOT, "translations", "messages.pot"))
    assert extracted == committed, "run: flask --app app translate update"
