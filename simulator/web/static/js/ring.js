// The Italian ring cadence (425 Hz, 1 s on, 4 s off), generated, never downloaded.
// Browsers only let audio start after a user gesture; until then the ring stays silent.
export class Ring {
  constructor() { this.ctx = null; this.timer = 0; this.on = false; }

  set(on) {
    if (on === this.on) return;
    this.on = on;
    window.clearInterval(this.timer);
    if (on) { this.beep(); this.timer = window.setInterval(() => this.beep(), 5000); }
  }

  beep() {
    try {
      this.ctx = this.ctx || new AudioContext();
      if (this.ctx.state === "suspended") this.ctx.resume().catch(() => {});
      if (this.ctx.state !== "running") return;
      const osc = this.ctx.createOscillator();
      const gain = this.ctx.createGain();
      osc.frequency.value = 425;
      gain.gain.value = 0.08; // quiet: no acoustic shock in a headset
      osc.connect(gain).connect(this.ctx.destination);
      osc.start();
      osc.stop(this.ctx.currentTime + 1);
    } catch (_error) {
      this.on = false;
    }
  }
}
