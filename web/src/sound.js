// The warning tone: made by Web Audio, so no sound file is fetched. A browser plays sound
// only after the operator has touched the page once (the sign-in counts).
export class Beeper {
  constructor() {
    this.context = null;
  }

  unlock() {
    if (!this.context) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      this.context = new Context();
    }
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
  }

  // Three short high tones, the pattern of an STCA warning.
  warn() {
    this.unlock();
    const ctx = this.context;
    if (!ctx) return;
    for (let k = 0; k < 3; k++) {
      const start = ctx.currentTime + k * 0.25;
      const tone = ctx.createOscillator();
      const gain = ctx.createGain();
      tone.frequency.value = 1250;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
      tone.connect(gain).connect(ctx.destination);
      tone.start(start);
      tone.stop(start + 0.2);
    }
  }
}
