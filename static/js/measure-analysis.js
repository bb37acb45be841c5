// The measures' sound and tap analysis: plain functions over numbers, no page, no Web Audio, so
// that the browser tests and the benchmark check the same code the screens run.
//
// Sound arrives as sound levels: one number (dB of full scale) per 10 ms frame. Voice is where the
// level stands clearly above the room's own noise; the count of a single-breath count is the number
// of voiced stretches, and the speaking rate is timed from the first to the last of them.

export const FRAME_SECONDS = 0.01;
// Below this a phone's microphone is never quiet; a fake or muted one gives digital silence
// (-Infinity), which must not drag the noise floor down with it.
const QUIETEST_DB = -70;

// Turns a stream of samples (any block size) into levels, one per frame, as they arrive.
export class LevelMeter {
  constructor(sampleRate, frameSeconds = FRAME_SECONDS) {
    this.frameLength = Math.max(1, Math.round(sampleRate * frameSeconds));
    this.levels = [];
    this.sum = 0;
    this.filled = 0;
  }

  push(samples) {
    for (let index = 0; index < samples.length; index += 1) {
      this.sum += samples[index] * samples[index];
      this.filled += 1;
      if (this.filled === this.frameLength) {
        this.levels.push(decibels(Math.sqrt(this.sum / this.frameLength)));
        this.sum = 0;
        this.filled = 0;
      }
    }
    return this.levels;
  }
}

export function frameLevels(samples, sampleRate, frameSeconds = FRAME_SECONDS) {
  return new LevelMeter(sampleRate, frameSeconds).push(samples);
}

function decibels(amplitude) {
  return Math.max(QUIETEST_DB - 30, 20 * Math.log10(amplitude || 1e-12));
}

function percentile(values, share) {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] : QUIETEST_DB;
}

// The level voice must pass: a share of the way from the noise floor (the quietest tenth of the
// frames) up to the loud voice (the loudest 2%), and at least 9 dB above the floor. Relative, so
// that a far phone, a loud room or a microphone's automatic gain all work.
export function voiceThreshold(levels) {
  const floor = Math.max(QUIETEST_DB, percentile(levels, 0.1));
  const loud = percentile(levels, 0.98);
  return floor + Math.max(9, 0.4 * (loud - floor));
}

// Stretches of voice as [{start, end}] in seconds. Levels are smoothed over 30 ms; gaps shorter
// than `bridge` are joined (the stop in "eigh-t", "twen-ty"), then stretches shorter than
// `shortest` are dropped (a click, a tap on the phone, a lip smack).
export function voiceSegments(levels, { frameSeconds = FRAME_SECONDS, bridge = 0.08, shortest = 0.08 } = {}) {
  const threshold = voiceThreshold(levels);
  const power = Array.from(levels, (level) => 10 ** (level / 10));
  const segments = [];
  let start = null;
  for (let index = 0; index <= power.length; index += 1) {
    let smooth = -Infinity;
    if (index < power.length) {
      const first = Math.max(0, index - 1);
      const last = Math.min(power.length - 1, index + 1);
      let sum = 0;
      for (let near = first; near <= last; near += 1) sum += power[near];
      smooth = 10 * Math.log10(sum / (last - first + 1));
    }
    if (smooth > threshold && start === null) start = index;
    if (smooth <= threshold && start !== null) {
      segments.push({ start: start * frameSeconds, end: index * frameSeconds });
      start = null;
    }
  }
  const joined = [];
  for (const segment of segments) {
    const last = joined[joined.length - 1];
    if (last && segment.start - last.end < bridge) last.end = segment.end;
    else joined.push({ ...segment });
  }
  return joined.filter((segment) => segment.end - segment.start >= shortest);
}

// How many numbers were said. People count with the beat, so two numbers start at least ~60% of a
// beat apart (300 ms at two a second, when 2.3 a second is already 435 ms); a stretch that starts
// sooner after the last number began is the rest of that number ("seven…teen").
export function countUtterances(levels, { beatsPerSecond = 2, frameSeconds = FRAME_SECONDS } = {}) {
  const spacing = 0.6 / beatsPerSecond;
  let count = 0;
  let lastOnset = -Infinity;
  for (const segment of voiceSegments(levels, { frameSeconds, bridge: 0.04 })) {
    if (segment.start - lastOnset >= spacing) {
      count += 1;
      lastOnset = segment.start;
    }
  }
  return count;
}

// A reading's length, from the first sound of voice to the last, and the share of that time spent
// in pauses of a quarter of a second or more (shorter gaps are the stops inside speech).
export function speechTiming(levels, { frameSeconds = FRAME_SECONDS, pause = 0.25 } = {}) {
  const segments = withoutStrayNoises(voiceSegments(levels, { frameSeconds, bridge: 0.1 }));
  if (!segments.length) return { seconds: 0, pauseShare: 0 };
  const seconds = segments[segments.length - 1].end - segments[0].start;
  let paused = 0;
  for (let index = 1; index < segments.length; index += 1) {
    const gap = segments[index].start - segments[index - 1].end;
    if (gap >= pause) paused += gap;
  }
  return { seconds, pauseShare: seconds > 0 ? paused / seconds : 0 };
}

// A short sound well before the reading starts or after it ends (a cough, the phone set down) is
// not part of the reading.
function withoutStrayNoises(segments) {
  const stray = (segment, neighbour) => segment.end - segment.start < 0.2 && neighbour
    && Math.max(neighbour.start - segment.end, segment.start - neighbour.end) > 1;
  let kept = segments;
  while (kept.length > 1 && stray(kept[0], kept[1])) kept = kept.slice(1);
  while (kept.length > 1 && stray(kept[kept.length - 1], kept[kept.length - 2])) kept = kept.slice(0, -1);
  return kept;
}

// Finger tapping: the taps, and how even they were as the coefficient of variation of the times
// between taps (their standard deviation as a percentage of their mean; null under three taps).
export function tapStats(timestampsMs) {
  const taps = timestampsMs.length;
  const intervals = [];
  for (let index = 1; index < taps; index += 1) intervals.push(timestampsMs[index] - timestampsMs[index - 1]);
  if (intervals.length < 2) return { taps, variation: null };
  const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
  const variance = intervals.reduce((sum, interval) => sum + (interval - mean) ** 2, 0) / (intervals.length - 1);
  return { taps, variation: mean > 0 ? (100 * Math.sqrt(variance)) / mean : null };
}
