"""Known sounds for the measures' tests and benchmark: espeak-ng speech placed in time with sox,
and browsers whose fake microphone plays them into a measure's page.

The browser's fake microphone plays a WAV from the moment the page opens it, and loops it, so
every recording starts with silence long enough for the app's 3-2-1 countdown and ends with
silence to press Stop in. A little white noise lies under it all, as a quiet room gives, so the
app's noise floor is a real one and not digital silence.
"""
import random
import subprocess
import time
import wave
from pathlib import Path

from playwright.sync_api import expect

from .browser.conftest import CHROMIUM, CHROMIUM_ARGS

SAMPLE_RATE = 48_000
# The fake microphone plays the file from the moment the page opens it. The page then loads its
# audio worklet and counts down 3 s before it listens: the lead leaves a busy machine 3 s more
# than that, and the tail leaves Stop time to land before the file loops.
LEAD_SECONDS = 6.0
TAIL_SECONDS = 8.0
STOP_AFTER_SOUND = 1.5  # seconds of silence heard after the last word before Stop
# When the page's microphone opened, for Stop to be timed by the file the microphone plays.
MICROPHONE_OPENED = """(() => {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.microphoneOpenedAt = Date.now() / 1000;
    return stream;
  };
})();"""
NOISE_VOLUME = 0.002  # about -60 dB of full scale
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}

ONES = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def number_words(number):
    """1 → "one", 27 → "twenty-seven" (1 to 99), as a person counts aloud."""
    if number < 20:
        return ONES[number - 1]
    tens, ones = divmod(number, 10)
    return TENS[tens] + (f"-{ONES[ones - 1]}" if ones else "")


def run(*command):
    subprocess.run([str(part) for part in command], check=True, capture_output=True)


def speak(text, path, voice, speed=175):
    """espeak-ng's reading of text, at 48 kHz mono with the silence before and after trimmed."""
    raw = path.with_suffix(".raw.wav")
    run("espeak-ng", "-v", voice, "-s", speed, "-w", raw, text)
    run("sox", raw, "-r", SAMPLE_RATE, "-c", 1, "-b", 16, path,
        "silence", 1, 0.01, "1%", "reverse", "silence", 1, 0.01, "1%", "reverse")
    raw.unlink()
    return path


def samples_of(path):
    with wave.open(str(path)) as sound:
        assert sound.getframerate() == SAMPLE_RATE and sound.getnchannels() == 1
        return sound.readframes(sound.getnframes())


def silence(seconds):
    return bytes(2 * round(seconds * SAMPLE_RATE))


def write(path, frames):
    """frames (16-bit mono PCM) padded for the fake microphone, with the room's noise mixed in."""
    clean = path.with_suffix(".clean.wav")
    with wave.open(str(clean), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(SAMPLE_RATE)
        sound.writeframes(silence(LEAD_SECONDS) + frames + silence(TAIL_SECONDS))
    length = len(frames) / 2 / SAMPLE_RATE + LEAD_SECONDS + TAIL_SECONDS
    noise = path.with_suffix(".noise.wav")
    run("sox", "-n", "-r", SAMPLE_RATE, "-c", 1, "-b", 16, noise, "synth", f"{length:.3f}", "whitenoise",
        "vol", NOISE_VOLUME)
    run("sox", "-m", "-v", 1, clean, "-v", 1, noise, path)
    clean.unlink()
    noise.unlink()
    return path


def count_recording(directory, count, voice="en-gb", per_second=2.0, seed=None):
    """A count from one to `count` at `per_second` numbers a second, each number said on its beat
    (give or take 20 ms, as people do). A number too long for its beat is spoken faster, as a person
    counting with a metronome squeezes "twenty-seven" in; the gap before the next stays about
    a fifth of a beat or more."""
    directory = Path(directory)
    path = directory / f"count-{count}-{voice}-{per_second}.wav"
    if path.exists():
        return path
    beat = 1 / per_second
    jitter = random.Random(seed if seed is not None else count)
    onsets = [number * beat + jitter.uniform(-0.02, 0.02) for number in range(count)]
    frames = bytearray()
    for number, onset in enumerate(onsets, start=1):
        word = spoken_number(directory, number, voice, longest=0.7 * beat)
        start = 2 * round(onset * SAMPLE_RATE)
        frames += bytes(max(0, start - len(frames))) + word
    return write(path, bytes(frames))


def spoken_number(directory, number, voice, longest):
    path = directory / f"word-{voice}-{number}-{longest:.3f}.wav"
    if not path.exists():
        said = speak(number_words(number), directory / f"word-{voice}-{number}.wav", voice, speed=220)
        seconds = len(samples_of(said)) / 2 / SAMPLE_RATE
        if seconds > longest:
            run("sox", said, path, "tempo", "-s", f"{seconds / longest:.4f}")
        else:
            said.rename(path)
    return samples_of(path)


def passage_recording(directory, text, voice, speed=175, name="passage"):
    """(path, seconds of speech) of a passage read by espeak-ng; the seconds run from the first
    sound to the last, measured on the synthesised audio before it is padded."""
    directory = Path(directory)
    path = directory / f"{name}-{voice}-{speed}.wav"
    speech = speak(text, directory / f"{name}-{voice}-{speed}.speech.wav", voice, speed)
    frames = samples_of(speech)
    if not path.exists():
        write(path, frames)
    return path, len(frames) / 2 / SAMPLE_RATE


class Listening:
    """One browser whose microphone plays a WAV, on a measure's page, measuring."""

    def __init__(self, browser, wav, signed_in, url, note):
        # The tests' browser's Playwright launches it: a second Playwright cannot run in one thread.
        microphone = FAKE_MICROPHONE + [f"--use-file-for-fake-audio-capture={wav}"]
        self.browser = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + microphone)
        self.page = self.browser.new_context(storage_state=signed_in, **PHONE).new_page()
        self.page.add_init_script(MICROPHONE_OPENED)
        self.page.goto(url)
        self.page.fill("#note", note)
        self.note = note

    def start(self, seconds_of_sound):
        self.page.locator("[data-start]").click()
        self.seconds_of_sound = seconds_of_sound
        self.expected_stop = time.time() + LEAD_SECONDS + seconds_of_sound + STOP_AFTER_SOUND

    def stop(self, result):
        """Stop once the file's sound has played, timed from when the microphone opened (and the
        file began), and before the file loops."""
        self.passage = " ".join(self.page.locator("[data-passage]").all_inner_texts())
        opened = self.page.wait_for_function("window.microphoneOpenedAt").json_value()
        stop_at = opened + LEAD_SECONDS + self.seconds_of_sound + STOP_AFTER_SOUND
        time.sleep(max(0, stop_at - time.time()))
        self.page.locator("[data-stop]").click()
        expect(self.page.locator(f"input[name={result}]")).not_to_have_value("")  # the page filled it

    def save(self, keep_recording=False):
        if keep_recording:
            self.page.check("input[name=keep_recording]")
        with self.page.expect_navigation():
            self.page.locator("#entry-form [type=submit]").click()
        self.browser.close()


def measure_all(browser, signed_in, recordings, result, keep=()):
    """Plays each (wav, seconds of sound, url, note) into a browser of its own and saves what the
    page measured. They run side by side, as the fake microphones play in real time; the longest
    starts first, so that the others have started long before it ends. Every page is stopped on
    time before any is saved: a save's wait must not make the next Stop late."""
    listenings = []
    for wav, seconds, url, note in sorted(recordings, key=lambda recording: -recording[1]):
        listening = Listening(browser, wav, signed_in, url, note)
        listening.start(seconds)
        listenings.append(listening)
    listenings.sort(key=lambda each: each.expected_stop)
    for listening in listenings:
        listening.stop(result)
    for listening in listenings:
        listening.save(keep_recording=listening.note in keep)
    return listenings
