// AudioWorklet: two mono inputs (0: the customer, 1: the rep) → interleaved 16-bit PCM frames
// of `frameSize` samples each, posted to the page (which sends them over the audio websocket).
class PcmFrames extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.frameSize = options.processorOptions.frameSize;
    this.channels = options.numberOfInputs;
    this.buffer = new Int16Array(this.frameSize * this.channels);
    this.filled = 0;
    this.running = true;
    this.port.onmessage = (e) => {
      if (e.data === "stop") {
        this.flush();
        this.running = false;
      }
    };
  }

  flush() {
    if (this.filled === 0) return;
    const out = this.buffer.slice(0, this.filled * this.channels);
    this.port.postMessage(out.buffer, [out.buffer]);
    this.filled = 0;
  }

  process(inputs) {
    if (!this.running) return false;
    const n = inputs[0]?.[0]?.length || inputs[1]?.[0]?.length || 128;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < this.channels; c++) {
        const x = inputs[c]?.[0]?.[i] ?? 0; // a silent or ended input reads as zeros
        const v = Math.max(-1, Math.min(1, x));
        this.buffer[this.filled * this.channels + c] = v < 0 ? v * 0x8000 : v * 0x7fff;
      }
      this.filled++;
      if (this.filled === this.frameSize) this.flush();
    }
    return true;
  }
}

registerProcessor("pcm-frames", PcmFrames);
