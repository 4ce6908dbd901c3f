// Sample thumbnails: the first few training images of each class, kept while streaming and written as small PNGs.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const THUMBS_DIR = 'thumbs';
/** Largest thumbnail side; smaller images are written at their own size. */
export const THUMB_SIDE = 64;

/** How many per class: 3, or 1 when there are many classes. */
export function thumbsPerClass(numClasses: number): number {
  return numClasses <= 100 ? 3 : 1;
}

export class ThumbnailPicker {
  private readonly picked: Uint8Array[][];
  private readonly perClass: number;

  constructor(
    private readonly shape: readonly [number, number, number],
    numClasses: number,
  ) {
    this.picked = Array.from({ length: numClasses }, () => []);
    this.perClass = thumbsPerClass(numClasses);
  }

  /** Keep a copy of each image whose class still wants a sample. */
  add(images: Uint8Array, labels: Uint16Array, count: number): void {
    const size = this.shape[0] * this.shape[1] * this.shape[2];
    for (let i = 0; i < count; i++) {
      const list = this.picked[labels[i]!];
      if (list && list.length < this.perClass) list.push(images.slice(i * size, (i + 1) * size));
    }
  }

  /** Write `thumbs/<class>-<k>.png`; returns the relative paths per class. */
  async write(dir: string): Promise<string[][]> {
    const [H, W, C] = this.shape;
    await mkdir(path.join(dir, THUMBS_DIR), { recursive: true });
    const out: string[][] = [];
    for (const [cls, list] of this.picked.entries()) {
      const names: string[] = [];
      for (const [k, img] of list.entries()) {
        const rel = `${THUMBS_DIR}/${cls}-${k}.png`;
        let s = sharp(img, { raw: { width: W, height: H, channels: C as 1 | 3 } });
        if (Math.max(H, W) > THUMB_SIDE) s = s.resize(THUMB_SIDE, THUMB_SIDE, { fit: 'cover' });
        await s.toColourspace(C === 1 ? 'b-w' : 'srgb').png().toFile(path.join(dir, rel));
        names.push(rel);
      }
      out.push(names);
    }
    return out;
  }
}
