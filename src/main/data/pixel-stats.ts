// Per-channel mean/std of [0, 1] pixels from exact per-channel histograms, fed chunk by chunk at import.

export class PixelStats {
  private readonly hist: Float64Array;

  constructor(readonly channels: number) {
    this.hist = new Float64Array(256 * channels);
  }

  /** Count the pixels of NHWC uint8 images. */
  add(images: Uint8Array): void {
    const C = this.channels;
    const h = this.hist;
    if (C === 1) {
      for (let i = 0; i < images.length; i++) h[images[i]]++;
      return;
    }
    for (let i = 0; i < images.length; i += C) for (let c = 0; c < C; c++) h[c * 256 + images[i + c]]++;
  }

  /** Mean and population standard deviation per channel (0 and 1 where no pixel was seen). */
  result(): { mean: number[]; std: number[] } {
    const mean: number[] = [];
    const std: number[] = [];
    for (let c = 0; c < this.channels; c++) {
      let n = 0;
      let s = 0;
      for (let v = 0; v < 256; v++) {
        n += this.hist[c * 256 + v];
        s += this.hist[c * 256 + v] * (v / 255);
      }
      const m = n > 0 ? s / n : 0;
      let q = 0;
      for (let v = 0; v < 256; v++) q += this.hist[c * 256 + v] * (v / 255 - m) ** 2;
      mean.push(m);
      std.push(n > 0 ? Math.sqrt(q / n) : 1);
    }
    return { mean, std };
  }
}
