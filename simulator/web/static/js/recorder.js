// Microphone capture: getUserMedia + an AudioWorklet, then 16 kHz mono 16-bit PCM encoded in the
// page (the server never needs ffmpeg). Push-to-talk keeps the blocks and encodes one WAV at the
// end; hands-free takes 16 kHz samples as they come (onSamples) and streams them.
export const TARGET_RATE = 16000;
export const MAX_SECONDS = 25; // the server refuses more than 30 s

export class RecorderError extends Error {
  constructor(reason) { super(reason); this.reason = reason; } // "absent" | "denied"
}

function concat(chunks) {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Float32Array(length);
  let offset = 0;
  for (const chunk of chunks) { out.set(chunk, offset); offset += chunk.length; }
  return out;
}

// Averaging each output sample's span is a simple low-pass before decimation (no aliasing hiss).
export function downsample(input, fromRate, toRate = TARGET_RATE) {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  const out = new Float32Array(Math.floor(input.length / ratio));
  for (let i = 0; i < out.length; i += 1) {
    const start = Math.floor(i * ratio);
    const end = Math.min(input.length, Math.max(start + 1, Math.floor((i + 1) * ratio)));
    let sum = 0;
    for (let j = start; j < end; j += 1) sum += input[j];
    out[i] = sum / (end - start);
  }
  return out;
}

// The same averaging, block by block, for samples that arrive 128 at a time from the worklet:
// the fractional position carries over so no sample is lost or counted twice between blocks.
export class StreamDownsampler {
  constructor(fromRate, toRate = TARGET_RATE) { this.ratio = fromRate / toRate; this.pending = new Float32Array(0); }

  push(block) {
    const input = new Float32Array(this.pending.length + block.length);
    input.set(this.pending); input.set(block, this.pending.length);
    const count = Math.floor(input.length / this.ratio);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 1) {
      const start = Math.floor(i * this.ratio);
      const end = Math.max(start + 1, Math.floor((i + 1) * this.ratio));
      let sum = 0;
      for (let j = start; j < end; j += 1) sum += input[j];
      out[i] = sum / (end - start);
    }
    this.pending = input.slice(Math.floor(count * this.ratio));
    return out;
  }
}

export function pcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
  }
  return out;
}

export function encodeWav(samples, rate = TARGET_RATE) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (offset, value) => { for (let i = 0; i < value.length; i += 1) view.setUint8(offset + i, value.charCodeAt(i)); };
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}

// onSamples (optional) receives 16 kHz samples as they arrive, for voice activity detection and
// streaming; maxSeconds 0 records until stopped (hands-free keeps the microphone open).
export async function startRecording(onLimit, onSamples = null, maxSeconds = MAX_SECONDS) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioWorkletNode) {
    throw new RecorderError("absent");
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (error) {
    throw new RecorderError(error && (error.name === "NotAllowedError" || error.name === "SecurityError") ? "denied" : "absent");
  }
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule(new URL("./pcm-worklet.js", import.meta.url));
  const source = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, "pcm-capture");
  const mute = ctx.createGain();
  mute.gain.value = 0; // keeps the graph pulled without playing the microphone back
  const chunks = [];
  const down = onSamples ? new StreamDownsampler(ctx.sampleRate) : null;
  node.port.onmessage = (event) => {
    if (maxSeconds) chunks.push(event.data); // hands-free streams instead of keeping everything
    if (down) onSamples(down.push(event.data));
  };
  source.connect(node).connect(mute).connect(ctx.destination);
  if (ctx.state === "suspended") await ctx.resume();
  const limit = maxSeconds ? window.setTimeout(() => { if (onLimit) onLimit(); }, maxSeconds * 1000) : 0;
  let done = false;

  async function release() {
    window.clearTimeout(limit);
    source.disconnect();
    node.disconnect();
    stream.getTracks().forEach((track) => track.stop());
    if (ctx.state !== "closed") await ctx.close();
  }

  return {
    async stop() {
      if (done) return null;
      done = true;
      const rate = ctx.sampleRate;
      await release();
      return encodeWav(downsample(concat(chunks), rate), TARGET_RATE);
    },
    async cancel() { if (!done) { done = true; await release(); } },
  };
}
