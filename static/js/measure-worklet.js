// The microphone's samples, handed from the audio thread to the measure screen in batches of about
// 40 ms. An AudioWorklet module must be a file of its own: the page's CSP allows no blob: scripts.
class MeasureSamples extends AudioWorkletProcessor {
  constructor() {
    super();
    this.batch = new Float32Array(2048);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let index = 0; index < channel.length; index += 1) {
        this.batch[this.filled] = channel[index];
        this.filled += 1;
        if (this.filled === this.batch.length) {
          this.port.postMessage(this.batch);
          this.batch = new Float32Array(this.batch.length);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('measure-samples', MeasureSamples);
