import { describe, expect, it } from 'vitest';
import { NO_AUGMENT, drawAugment, normalisationTable, writeAugmented, type AugmentDraw } from './augment';
import { Prng } from './prng';

// A 3×4 one-channel image whose pixel (y, x) is 10·y + x + 1, and the identity table (mean 0, std 1/255).
const shape = [3, 4, 1] as const;
const img = Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4) + 1);
const lut = normalisationTable([0], [1 / 255]);

function run(d: AugmentDraw, padding = 0, cutout = 0): number[][] {
  const out = new Float32Array(12);
  writeAugmented(img, 0, out, 0, shape, lut, padding, cutout, d);
  return [0, 1, 2].map((y) => [...out.subarray(y * 4, y * 4 + 4)].map((v) => Math.round(v * 1000) / 1000));
}
const draw = (d: Partial<AugmentDraw>): AugmentDraw => ({ ...NO_AUGMENT, ...d });

describe('augmentation', () => {
  it('normalises per channel', () => {
    const t = normalisationTable([0.5, 0.25], [0.5, 0.25]);
    expect(t[255]).toBeCloseTo(1, 6);
    expect(t[0]).toBeCloseTo(-1, 6);
    expect(t[256 + 51]).toBeCloseTo((0.2 - 0.25) / 0.25, 6);
    expect(run(NO_AUGMENT)).toEqual([
      [1, 2, 3, 4],
      [11, 12, 13, 14],
      [21, 22, 23, 24],
    ]);
  });

  it('crops from the zero-padded image', () => {
    // padding 1, crop at (0, 2): out[y][x] = img[y − 1][x + 1], zero outside.
    expect(run(draw({ dy: 0, dx: 2 }), 1)).toEqual([
      [0, 0, 0, 0],
      [2, 3, 4, 0],
      [12, 13, 14, 0],
    ]);
  });

  it('flips after cropping', () => {
    expect(run(draw({ flip: true }))).toEqual([
      [4, 3, 2, 1],
      [14, 13, 12, 11],
      [24, 23, 22, 21],
    ]);
    expect(run(draw({ dy: 1, dx: 2, flip: true }), 1)).toEqual([
      [0, 4, 3, 2],
      [0, 14, 13, 12],
      [0, 24, 23, 22],
    ]);
  });

  it('cuts out a square of side L after normalisation, clipped at the borders (as the DARTS reference)', () => {
    const shifted = normalisationTable([0.5], [1]); // padding and pixels are non-zero after normalisation
    const out = new Float32Array(12);
    writeAugmented(img, 0, out, 0, shape, shifted, 0, 4, draw({ cy: 0, cx: 3 }));
    // rows max(0, 0−2)..min(3, 0+2) = 0..1, columns 1..3
    const zero = [...out].map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
    expect(zero).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('matches a pixel-by-pixel reference for random draws, 1 to 3 channels, paddings up to the image size', () => {
    let worst = 0;
    for (const C of [1, 2, 3]) {
      const sh = [5, 7, C] as const;
      const n = 5 * 7 * C;
      const src = Uint8Array.from({ length: n + 3 }, (_, i) => (i * 37) % 256);
      const mean = [0.1, 0.2, 0.3].slice(0, C);
      const std = [0.5, 0.25, 2].slice(0, C);
      const t = normalisationTable(mean, std);
      const rng = Prng.of(C);
      for (let k = 0; k < 200; k++) {
        const padding = k % 9;
        const L = k % 5;
        const d = drawAugment(rng, sh, { cropPadding: padding, flip: true, cutout: L });
        const out = new Float32Array(n + 2);
        writeAugmented(src, 3, out, 2, sh, t, padding, L, d);
        for (let y = 0; y < 5; y++) {
          for (let x = 0; x < 7; x++) {
            for (let c = 0; c < C; c++) {
              const sy = y + d.dy - padding;
              const sx = (d.flip ? 6 - x : x) + d.dx - padding;
              let want = (((sy >= 0 && sy < 5 && sx >= 0 && sx < 7 ? src[3 + (sy * 7 + sx) * C + c]! : 0) / 255 - mean[c]!) / std[c]!);
              const h = Math.floor(L / 2);
              if (L > 0 && y >= d.cy - h && y < d.cy + h && x >= d.cx - h && x < d.cx + h) want = 0;
              worst = Math.max(worst, Math.abs(out[2 + (y * 7 + x) * C + c]! - want));
            }
          }
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('draws offsets within [0, 2·padding] and a centre inside the image', () => {
    const rng = Prng.of(1);
    const seen = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 2000; i++) {
      const d = drawAugment(rng, [32, 32, 3], { cropPadding: 4, flip: true, cutout: 16 });
      seen.add(d.dy);
      if (d.flip) flips++;
      expect(d.dx >= 0 && d.dx <= 8 && d.cy >= 0 && d.cy < 32 && d.cx >= 0 && d.cx < 32).toBe(true);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Math.abs(flips - 1000)).toBeLessThan(120);
    expect(drawAugment(rng, [32, 32, 3], { cropPadding: 0, flip: false, cutout: 0 })).toEqual(NO_AUGMENT);
  });
});
