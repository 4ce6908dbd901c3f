// The demo dataset, generated on first use: 10 classes of coloured shapes on noise, 32×32×3, seeded and learnable.
import { createHash } from 'node:crypto';
import type { CachedDataset } from './cached-dataset';
import { writeCache } from './cache-writer';
import { DatasetError } from './errors';
import { Prng } from './prng';
import { openDataset } from './registry';
import type { DatasetSource, RecordChunk, SourceEnd, SplitName } from './source';

export const SYNTHETIC_NAME = 'synthetic';
export const SYNTHETIC_SIDE = 32;
/** Images per split of the demo dataset as generated (what a run can count on before it is first made). */
export const SYNTHETIC_COUNTS = { train: 2000, test: 500 } as const;
export const SYNTHETIC_CLASSES = ['circle', 'square', 'triangle', 'ring', 'plus', 'diamond', 'bar-horizontal', 'bar-vertical', 'x', 'frame'];
/** Generator version: bump when the pictures change, so old caches can be told apart by checksum. */
const VERSION = 1;

export interface SyntheticOptions {
  seed?: number;
  train?: number;
  test?: number;
}

/** Whether (u, v), in units of the shape's radius around its centre (v grows downwards), is inside shape `k`. */
function inside(k: number, u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  const d2 = u * u + v * v;
  switch (k) {
    case 0: return d2 <= 1; // circle
    case 1: return au <= 0.8 && av <= 0.8; // square
    case 2: return v >= -0.9 && v <= 0.8 && au <= ((v + 0.9) / 1.7) * 0.95; // triangle, apex up
    case 3: return d2 <= 1 && d2 >= 0.4; // ring
    case 4: return (au <= 0.28 && av <= 1) || (av <= 0.28 && au <= 1); // plus
    case 5: return au + av <= 1; // diamond
    case 6: return av <= 0.32 && au <= 1; // horizontal bar
    case 7: return au <= 0.32 && av <= 1; // vertical bar
    case 8: return au <= 0.9 && av <= 0.9 && (Math.abs(u - v) <= 0.35 || Math.abs(u + v) <= 0.35); // x
    default: return Math.max(au, av) <= 0.9 && Math.max(au, av) >= 0.55; // frame
  }
}

/** One image into `out` (HWC): a dark noisy background, a bright noisy shape of class `label`, random colour, size and place. */
function drawImage(rng: Prng, label: number, out: Uint8Array, at: number): void {
  const S = SYNTHETIC_SIDE;
  const bg = [rng.int(100), rng.int(100), rng.int(100)];
  const fg = [150 + rng.int(106), 150 + rng.int(106), 150 + rng.int(106)];
  const r = 8 + rng.next() * 4;
  const cx = r + rng.next() * (S - 2 * r);
  const cy = r + rng.next() * (S - 2 * r);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const on = inside(label, (x + 0.5 - cx) / r, (y + 0.5 - cy) / r);
      const base = on ? fg : bg;
      // Noise: one 32-bit draw gives three bytes, each scaled to ±spread/2.
      const spread = on ? 40 : 64;
      const bits = rng.nextUint32();
      const o = at + (y * S + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = base[c]! + ((((bits >>> (8 * c)) & 0xff) * spread) >> 8) - (spread >> 1);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/** The demo data as a source: class = shape, balanced (image i has class i mod 10). */
export function syntheticSource(opts: SyntheticOptions = {}): DatasetSource {
  const seed = opts.seed ?? 0;
  const counts: Record<SplitName, number> = { train: opts.train ?? SYNTHETIC_COUNTS.train, test: opts.test ?? SYNTHETIC_COUNTS.test };
  const per = SYNTHETIC_SIDE * SYNTHETIC_SIDE * 3;
  async function* records(): AsyncGenerator<RecordChunk, SourceEnd> {
    const hash = createHash('sha256');
    for (const [s, split] of (['train', 'test'] as const).entries()) {
      const rng = Prng.of(seed, VERSION, s);
      for (let start = 0; start < counts[split]; start += 500) {
        const count = Math.min(500, counts[split] - start);
        const images = new Uint8Array(count * per);
        const labels = new Uint16Array(count);
        for (let i = 0; i < count; i++) {
          labels[i] = (start + i) % SYNTHETIC_CLASSES.length;
          drawImage(rng, labels[i]!, images, i * per);
        }
        hash.update(images).update(new Uint8Array(labels.buffer));
        yield { split, images, labels, count, file: `${SYNTHETIC_NAME}:${split}` };
      }
    }
    return { classNames: SYNTHETIC_CLASSES, sha256: hash.digest('hex') };
  }
  return {
    path: `generated: ${SYNTHETIC_NAME} v${VERSION}, seed ${seed}`,
    info: {
      format: 'synthetic',
      shape: [SYNTHETIC_SIDE, SYNTHETIC_SIDE, 3],
      numClasses: SYNTHETIC_CLASSES.length,
      total: counts.train + counts.test,
      hflip: true,
      options: { seed, version: VERSION },
    },
    records,
  };
}

/** The demo dataset's cache, generated on first use (a second process racing to make it is fine). */
export async function ensureSyntheticDataset(datasetsDir: string): Promise<CachedDataset> {
  try {
    return await openDataset(datasetsDir, SYNTHETIC_NAME);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
  }
  try {
    await writeCache(datasetsDir, SYNTHETIC_NAME, syntheticSource());
  } catch (err) {
    if (!(err instanceof DatasetError && /already exists/.test(err.problem))) throw err;
  }
  return openDataset(datasetsDir, SYNTHETIC_NAME);
}
