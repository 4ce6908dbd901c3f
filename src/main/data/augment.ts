// Per-image augmentation and normalisation, uint8 HWC → float32: random crop with zero padding, flip, cutout.
import type { Prng } from './prng';

export interface Augmentation {
  /** Zero-pad by this many pixels, then crop back to the original size at a random offset (0 = off). */
  cropPadding: number;
  flip: boolean;
  /** Cutout square side (0 = off). */
  cutout: number;
}

/** One image's random choices. */
export interface AugmentDraw {
  /** Crop offset into the padded image, each in [0, 2·padding]. */
  dy: number;
  dx: number;
  flip: boolean;
  /** Cutout centre, or -1 when off. */
  cy: number;
  cx: number;
}

export const NO_AUGMENT: AugmentDraw = { dy: 0, dx: 0, flip: false, cy: -1, cx: -1 };

/** Draw in a fixed order (crop, flip, cutout), so the same generator state gives the same picture. */
export function drawAugment(rng: Prng, shape: readonly [number, number, number], aug: Augmentation): AugmentDraw {
  const p = aug.cropPadding;
  const dy = p > 0 ? rng.int(2 * p + 1) : p;
  const dx = p > 0 ? rng.int(2 * p + 1) : p;
  const flip = aug.flip ? rng.next() < 0.5 : false;
  const cy = aug.cutout > 0 ? rng.int(shape[0]) : -1;
  const cx = aug.cutout > 0 ? rng.int(shape[1]) : -1;
  return { dy, dx, flip, cy, cx };
}

/** `lut[c·256 + v]` = (v/255 − mean[c]) / std[c]: per-channel normalisation as a table. */
export function normalisationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const C = mean.length;
  const lut = new Float32Array(C * 256);
  for (let c = 0; c < C; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - mean[c]!) / (std[c]! > 0 ? std[c]! : 1);
  return lut;
}

/**
 * Write one image, augmented and normalised, to `dst` at `at`. As torchvision's RandomCrop(padding)
 * then RandomHorizontalFlip: out[y][x] = padded[y + dy][x' + dx] with x' = W−1−x when flipped, where
 * padding pixels are 0 before normalisation. Cutout follows the DARTS reference: applied after
 * normalisation, a square of side L (rows cy−⌊L/2⌋ … cy+⌊L/2⌋−1, likewise columns, clipped at the
 * borders) is set to 0.
 */
export function writeAugmented(
  src: Uint8Array,
  srcAt: number,
  dst: Float32Array,
  at: number,
  shape: readonly [number, number, number],
  lut: Float32Array,
  padding: number,
  cutout: number,
  d: AugmentDraw,
): void {
  const [H, W, C] = shape;
  // Source column of output column x is sx0 + step·x; [x0, x1) is where it falls inside the image.
  const step = d.flip ? -1 : 1;
  const sx0 = (d.flip ? W - 1 : 0) + d.dx - padding;
  const x0 = d.flip ? Math.max(0, sx0 - W + 1) : Math.max(0, -sx0);
  const x1 = d.flip ? Math.min(W, sx0 + 1) : Math.min(W, W - sx0);
  const pad = (from: number, to: number) => {
    if (C === 1) dst.fill(lut[0]!, from, to);
    else for (let o = from; o < to; o += C) for (let c = 0; c < C; c++) dst[o + c] = lut[c * 256]!;
  };
  for (let y = 0; y < H; y++) {
    const sy = y + d.dy - padding;
    const rowOut = at + y * W * C;
    if (sy < 0 || sy >= H || x0 >= x1) {
      pad(rowOut, rowOut + W * C);
      continue;
    }
    pad(rowOut, rowOut + x0 * C);
    pad(rowOut + x1 * C, rowOut + W * C);
    let i = srcAt + (sy * W + sx0 + step * x0) * C;
    let o = rowOut + x0 * C;
    const di = step * C;
    if (C === 3) {
      for (let x = x0; x < x1; x++, o += 3, i += di) {
        dst[o] = lut[src[i]!]!;
        dst[o + 1] = lut[256 + src[i + 1]!]!;
        dst[o + 2] = lut[512 + src[i + 2]!]!;
      }
    } else if (C === 1) {
      for (let x = x0; x < x1; x++, o++, i += di) dst[o] = lut[src[i]!]!;
    } else {
      for (let x = x0; x < x1; x++, o += C, i += di) for (let c = 0; c < C; c++) dst[o + c] = lut[c * 256 + src[i + c]!]!;
    }
  }
  if (cutout > 0 && d.cy >= 0) {
    const half = Math.floor(cutout / 2);
    const y1 = Math.max(0, d.cy - half);
    const y2 = Math.min(H, d.cy + half);
    const x1 = Math.max(0, d.cx - half);
    const x2 = Math.min(W, d.cx + half);
    for (let y = y1; y < y2; y++) dst.fill(0, at + (y * W + x1) * C, at + (y * W + x2) * C);
  }
}
