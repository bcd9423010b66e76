// Voice activity detection in the page: an energy gate over 20 ms frames of 16 kHz audio.
// Why in the page and not silero on the server: the start of speech must stop the caller at once
// (barge-in) and the end must send the utterance at once, with no round trip per 32 ms chunk that
// sync gunicorn workers could not hold open. A headset microphone gives a clean level step; the
// gate follows the noise floor, so a fan or a quiet room both work. The server runs Whisper on
// what is sent, and a noise taken for speech is answered "not understood", never credited.
export const FRAME = 320; // 20 ms at 16 kHz
const START_FRAMES = 3; // 60 ms above the threshold: speech has started
const END_FRAMES = 35; // 700 ms below it: speech has ended
const PREROLL_FRAMES = 15; // 300 ms kept before the start, so the first syllable is not cut
const ARM_FRAMES = 15; // 300 ms of quiet before the first start: never begin mid-sentence or mid-noise
const MARGIN_DB = 12;
const MIN_DB = -50;

function dbfs(frame) {
  let sum = 0;
  for (let i = 0; i < frame.length; i += 1) sum += frame[i] * frame[i];
  const rms = Math.sqrt(sum / frame.length);
  return rms > 0 ? 20 * Math.log10(rms) : -120;
}

export class EnergyGate {
  // onStart(prerollSamples), onSpeech(samples) while speaking, onEnd()
  constructor({ onStart, onSpeech, onEnd }) {
    Object.assign(this, { onStart, onSpeech, onEnd });
    this.floor = -70;
    this.buffer = new Float32Array(0);
    this.recent = [];
    this.loud = 0;
    this.quiet = 0;
    this.speaking = false;
    this.paused = false;
    this.quietSeen = 0;
  }

  push(samples) {
    const input = new Float32Array(this.buffer.length + samples.length);
    input.set(this.buffer); input.set(samples, this.buffer.length);
    let offset = 0;
    for (; offset + FRAME <= input.length; offset += FRAME) this.frame(input.slice(offset, offset + FRAME));
    this.buffer = input.slice(offset);
  }

  frame(frame) {
    const level = dbfs(frame);
    const threshold = Math.max(this.floor + MARGIN_DB, MIN_DB);
    const loud = level > threshold;
    if (!this.speaking) {
      // The floor falls fast and rises slowly, so speech does not become the floor.
      this.floor = level < this.floor ? level : this.floor + 0.02 * (level - this.floor);
      this.recent.push(frame);
      if (this.recent.length > PREROLL_FRAMES) this.recent.shift();
      this.loud = loud ? this.loud + 1 : 0;
      if (!loud) this.quietSeen += 1;
      if (this.loud >= START_FRAMES && !this.paused && this.quietSeen >= ARM_FRAMES) {
        this.speaking = true;
        this.quiet = 0;
        const preroll = new Float32Array(this.recent.length * FRAME);
        this.recent.forEach((f, i) => preroll.set(f, i * FRAME));
        this.recent = [];
        this.onStart(preroll);
      }
      return;
    }
    this.onSpeech(frame);
    this.quiet = loud ? 0 : this.quiet + 1;
    if (this.quiet >= END_FRAMES) {
      this.speaking = false;
      this.loud = 0;
      this.onEnd();
    }
  }
}
