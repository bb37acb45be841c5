// The measures' step-by-step screens on the entry form: a countdown, then the microphone or taps,
// then the numbers go into the form below for the family to check and save. Without this script,
// or without a microphone, the same form is filled in by hand.
//
// Sound is analysed here, on the phone. Only numbers are sent, and the recording only when the
// family ticks "keep the recording"; the microphone is asked for when a measure starts, not before.
import { LevelMeter, countUtterances, speechTiming, tapStats } from './measure-analysis.js';

const screen = document.getElementById('measure-screen');
const form = document.getElementById('entry-form');
const strings = JSON.parse(document.getElementById('measure-text')?.textContent || '{}');
const language = document.documentElement.lang || 'en';
const COUNTDOWN = 3;
// What the server keeps at most (catalogue.MAX_RECORDING_BYTES), unless the page says otherwise.
const RECORDING_BYTES = Number(screen?.dataset.maxRecordingBytes) || 600000;

function number(value, places = 0) {
  return new Intl.NumberFormat(language, { minimumFractionDigits: places, maximumFractionDigits: places })
    .format(value);
}

// A translated sentence with its placeholders ({count}) filled in.
function say(key, values = {}) {
  return (strings[key] || '').replace(/\{(\w+)\}/g, (placeholder, name) => String(values[name] ?? placeholder));
}

const part = (name) => screen.querySelector(`[data-${name}]`);
const sleep = (milliseconds) => new Promise((resolve) => { setTimeout(resolve, milliseconds); });

function status(message) {
  part('status').textContent = message;
}

function fill(values) {
  for (const [name, value] of Object.entries(values)) {
    if (form.elements[name]) form.elements[name].value = value;
  }
}

// A press counts on pointerdown, at once and once, for a finger or a mouse; a keyboard's Enter or
// Space arrives as a click with no pointer (detail 0), so that the buttons still work without touch.
function onPress(element, handler) {
  element.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    handler(event);
  });
  element.addEventListener('click', (event) => {
    if (event.detail === 0) handler(event);
  });
}

// The microphone, opened on the measure's Start; null when it is refused, missing or there is no Web Audio.
async function openMicrophone(audio) {
  if (!audio) return null;
  const microphone = new Microphone(audio);
  try {
    await microphone.open();
    return microphone;
  } catch {
    microphone.close();
    return null;
  }
}

async function countdown() {
  const shown = part('countdown');
  for (let left = COUNTDOWN; left > 0; left -= 1) {
    shown.textContent = number(left);
    await sleep(1000);
  }
  shown.textContent = '';
}

// The microphone while a measure runs: its sound levels for the analysis and, in memory on the
// phone, a recording that leaves it only if the family ticks the box.
class Microphone {
  constructor(audio) {
    this.audio = audio;
    this.meter = null;
    this.chunks = [];
    this.recorder = null;
  }

  // Throws when the microphone is refused or missing.
  async open() {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('no microphone');
    this.stream = await navigator.mediaDevices.getUserMedia({
      // No automatic gain or noise suppression: they reshape the loudness the analysis reads. Echo
      // cancellation stays, so that the beat from the speaker is not heard as counting.
      audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false },
    });
    await this.audio.audioWorklet.addModule(new URL('./measure-worklet.js', import.meta.url));
    this.source = this.audio.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.audio, 'measure-samples');
    this.node.port.onmessage = (event) => this.meter?.push(event.data);
    const mute = this.audio.createGain();
    mute.gain.value = 0;
    this.source.connect(this.node).connect(mute).connect(this.audio.destination);
  }

  // From now on: what came before (the countdown) is not part of the measure.
  begin() {
    this.meter = new LevelMeter(this.audio.sampleRate);
    this.record();
  }

  get levels() {
    return this.meter ? this.meter.levels : [];
  }

  record() {
    if (!window.MediaRecorder) return;
    const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4']
      .find((candidate) => MediaRecorder.isTypeSupported(candidate));
    try {
      this.recorder = new MediaRecorder(this.stream, { ...(type && { mimeType: type }), audioBitsPerSecond: 24000 });
    } catch {
      return;
    }
    let bytes = 0;
    this.recorder.ondataavailable = (event) => {
      // A recording the server would refuse is cut at its limit rather than lost.
      if (bytes + event.data.size > RECORDING_BYTES) {
        if (this.recorder.state === 'recording') this.recorder.stop();
        return;
      }
      bytes += event.data.size;
      this.chunks.push(event.data);
    };
    this.recorder.start(1000);
  }

  // Stops everything; resolves to {levels, recording} with the recording as a data: URL (or null).
  async end() {
    const levels = this.levels;
    const stopped = this.recorder && this.recorder.state !== 'inactive'
      ? new Promise((resolve) => { this.recorder.onstop = resolve; this.recorder.stop(); })
      : Promise.resolve();
    await stopped;
    this.close();
    const blob = this.chunks.length ? new Blob(this.chunks, { type: this.chunks[0].type || this.recorder.mimeType })
      : null;
    return { levels, recording: blob && blob.size ? await dataUrl(blob) : null };
  }

  close() {
    this.meter = null;
    this.source?.disconnect();
    this.node?.disconnect();
    for (const track of this.stream?.getTracks() || []) track.stop();
  }
}

function dataUrl(blob) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(blob);
  });
}

// The metronome: a short click on each beat, scheduled a little ahead on the audio clock so that
// it stays even when the page is busy. Returns a function that stops it.
function metronome(audio, beatsPerSecond) {
  let next = audio.currentTime + 0.05;
  const schedule = () => {
    while (next < audio.currentTime + 0.3) {
      const click = audio.createOscillator();
      const loudness = audio.createGain();
      click.frequency.value = 1000;
      loudness.gain.setValueAtTime(0.5, next);
      loudness.gain.exponentialRampToValueAtTime(0.001, next + 0.03);
      click.connect(loudness).connect(audio.destination);
      click.start(next);
      click.stop(next + 0.04);
      next += 1 / beatsPerSecond;
    }
  };
  schedule();
  const timer = setInterval(schedule, 100);
  return () => clearInterval(timer);
}

// Whatever the family types in themselves was measured by hand.
function typedByHand(names) {
  for (const name of names) {
    form.elements[name]?.addEventListener('input', () => fill({ method: 'hand' }));
  }
}

// The recording goes with the form only when the box is ticked; otherwise nothing of the sound
// leaves the phone.
function sendRecordingIfKept(recording) {
  form.addEventListener('submit', () => {
    const keep = form.elements.keep_recording;
    fill({ recording: keep?.checked && recording.value ? recording.value : '' });
  });
}

function breathCount() {
  const beatsPerSecond = Number(screen.dataset.beatsPerSecond) || 2;
  const [start, stop, tap, byTaps, beat, live] = ['start', 'stop', 'tap', 'by-taps', 'beat', 'live'].map(part);
  const recording = { value: null };
  let mode = 'microphone';
  let audio = null;
  let microphone = null;
  let stopBeat = () => {};
  let taps = 0;
  let liveTimer = null;

  const running = (yes) => {
    start.hidden = yes;
    byTaps.hidden = yes || mode === 'taps';
    stop.hidden = !yes;
  };
  const playBeat = () => {
    if (beat.checked) stopBeat = metronome(audio, beatsPerSecond);
  };
  const audioContext = () => {
    if (!audio && window.AudioContext) audio = new AudioContext();
    audio?.resume();
    return audio;
  };

  const startTapping = (message) => {
    mode = 'taps';
    taps = 0;
    live.textContent = number(0);
    tap.hidden = false;
    running(true);
    status(message);
    if (audio) playBeat();
    tap.scrollIntoView({ block: 'center' });
    tap.focus({ preventScroll: true });
  };

  const measure = async () => {
    running(true);
    stop.hidden = true;
    status(say('ready'));
    audioContext();
    if (mode === 'microphone') {
      microphone = await openMicrophone(audio);
      if (!microphone) {
        startTapping(say('refused'));
        return;
      }
    }
    await countdown();
    if (mode === 'taps') {
      startTapping(say('tapping'));
      return;
    }
    microphone.begin();
    playBeat();
    stop.hidden = false;
    status(say('counting'));
    live.textContent = number(0);
    liveTimer = setInterval(() => {
      live.textContent = number(countUtterances(microphone.levels, { beatsPerSecond }));
    }, 250);
  };

  onPress(start, measure);
  onPress(byTaps, () => {
    mode = 'taps';
    measure();
  });
  onPress(tap, () => {
    taps += 1;
    live.textContent = number(taps);
  });
  onPress(stop, async () => {
    stopBeat();
    clearInterval(liveTimer);
    audio?.suspend(); // resumed by the next Start
    running(false);
    if (mode === 'taps') {
      tap.hidden = true;
      recording.value = null; // a sound kept must be of the count that was saved
      fill({ value: taps, method: 'taps' });
      status(say('tapped', { count: number(taps) }));
      return;
    }
    const heard = await microphone.end();
    microphone = null;
    const count = countUtterances(heard.levels, { beatsPerSecond });
    live.textContent = number(count);
    recording.value = heard.recording;
    if (!count) {
      status(say('silent'));
      return;
    }
    fill({ value: count, method: 'microphone' });
    status(say('heard', { count: number(count) }));
  });
  typedByHand(['value']);
  sendRecordingIfKept(recording);
}

function speechRate() {
  const words = Number(screen.dataset.words);
  const [start, stop] = ['start', 'stop'].map(part);
  const recording = { value: null };
  let audio = null;
  let microphone = null;

  const byHand = () => {
    start.hidden = false;
    stop.hidden = true;
    fill({ method: 'hand' });
    status(say('refused'));
    form.elements.speech_seconds?.focus();
  };

  onPress(start, async () => {
    start.hidden = true;
    status(say('ready'));
    if (!audio && window.AudioContext) audio = new AudioContext();
    audio?.resume();
    microphone = await openMicrophone(audio);
    if (!microphone) {
      byHand();
      return;
    }
    await countdown();
    microphone.begin();
    stop.hidden = false;
    status(say('reading'));
  });

  onPress(stop, async () => {
    stop.hidden = true;
    start.hidden = false;
    const heard = await microphone.end();
    audio?.suspend(); // resumed by the next Start
    recording.value = heard.recording;
    const timing = speechTiming(heard.levels);
    const seconds = Math.round(timing.seconds * 10) / 10;
    if (seconds < 3) { // the shortest reading the form takes; less is not a reading of the passage
      status(say('silent'));
      return;
    }
    fill({
      speech_seconds: seconds.toFixed(1), pause_share: Math.round(timing.pauseShare * 100), method: 'microphone',
    });
    status(say('result', { seconds: number(seconds, 1), rate: number((words * 60) / seconds) }));
  });
  typedByHand(['speech_seconds', 'pause_share']);
  sendRecordingIfKept(recording);
}

function tapping() {
  const seconds = Number(screen.dataset.seconds) || 10;
  const [start, skip, targets, hand, shownSeconds] = ['start', 'skip', 'targets', 'hand', 'countdown'].map(part);
  const hands = ['right', 'left'];
  let current = 0;
  let times = [];
  let lastTarget = null;
  let endsAt = null;
  let timer = null;

  const showHand = () => {
    hand.textContent = strings[hands[current]] || '';
  };
  const nextHand = (message) => {
    current += 1;
    const done = current >= hands.length;
    start.hidden = done;
    skip.hidden = done;
    if (done) {
      hand.textContent = '';
      const measured = hands.some((name) => form.elements[`${name}_taps`]?.value);
      status([message, measured ? say('done') : ''].filter(Boolean).join(' '));
    } else {
      showHand();
      status([message, say('next_hand')].filter(Boolean).join(' '));
    }
  };

  const finish = () => {
    clearInterval(timer);
    timer = null;
    targets.hidden = true;
    shownSeconds.textContent = '';
    const name = hands[current];
    const result = tapStats(times);
    fill({
      [`${name}_taps`]: result.taps,
      [`${name}_variation`]: result.variation === null ? '' : result.variation.toFixed(1),
      method: 'taps',
    });
    nextHand(say('hand_done', { hand: strings[name], taps: number(result.taps) }));
  };

  const tick = () => {
    const left = Math.max(0, endsAt - performance.now());
    shownSeconds.textContent = number(Math.ceil(left / 1000));
    if (left <= 0) finish();
  };

  // The clock starts at the first tap (or, if none comes, when the countdown ends), so that the
  // reaction to "go" is not part of the ten seconds.
  const startClock = (at) => {
    endsAt = at + seconds * 1000;
    clearInterval(timer);
    timer = setInterval(tick, 100);
  };

  for (const target of targets.querySelectorAll('[data-target]')) {
    onPress(target, (event) => {
      if (targets.hidden || !timer) return;
      const at = event.timeStamp || performance.now();
      if (target.dataset.target === lastTarget) return; // only taps that alternate count
      if (!times.length) startClock(at);
      if (at >= endsAt) return;
      lastTarget = target.dataset.target;
      times.push(at);
    });
  }

  onPress(start, async () => {
    start.hidden = true;
    skip.hidden = true;
    times = [];
    lastTarget = null;
    status('');
    await countdown();
    targets.hidden = false;
    targets.scrollIntoView({ block: 'center' }); // both circles in reach, above the tab bar
    status(say('go'));
    startClock(performance.now());
  });
  onPress(skip, () => {
    fill({ [`${hands[current]}_taps`]: '', [`${hands[current]}_variation`]: '' });
    nextHand('');
  });
  showHand();
  typedByHand(['right_taps', 'left_taps', 'right_variation', 'left_variation']);
}

const SCREENS = { breath_count: breathCount, speech_rate: speechRate, tapping };
if (screen && form && SCREENS[screen.dataset.measureScreen]) {
  SCREENS[screen.dataset.measureScreen]();
  screen.hidden = false;
}
