// Decode one JPEG/PNG/WebP with sharp into raw uint8 HWC pixels: alpha dropped, channels fixed, resized square.
import sharp from 'sharp';
import { DatasetError } from './errors';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

export interface DecodeOptions {
  /** Output side in pixels (resized with `fit: 'cover'`: scaled to fill, centre-cropped); 0 keeps the size. */
  size: number;
  /** Output channels: 1 (grey) or 3 (sRGB). */
  channels: 1 | 3;
}

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Colour channels of an encoded image, alpha not counted: 1 for grey, 3 for colour (CMYK counts as colour). */
export async function imageChannels(bytes: Uint8Array, file: string): Promise<1 | 3> {
  try {
    const meta = await sharp(bytes).metadata();
    const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    return colour <= 1 ? 1 : 3;
  } catch (err) {
    throw unreadable(file, err);
  }
}

/**
 * Decode to `channels` × (size × size) uint8. The alpha channel is dropped (as PIL's convert('RGB')):
 * transparent pixels keep their stored colour. sharp would otherwise turn grey into sRGB on output, so
 * the colour space is always set explicitly.
 */
export async function decodeImage(bytes: Uint8Array, file: string, opts: DecodeOptions): Promise<DecodedImage> {
  try {
    let img = sharp(bytes, { sequentialRead: true }).removeAlpha();
    if (opts.size > 0) img = img.resize(opts.size, opts.size, { fit: 'cover', position: 'centre' });
    const { data, info } = await img.toColourspace(opts.channels === 1 ? 'b-w' : 'srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== opts.channels) throw new Error(`decoded to ${info.channels} channels, expected ${opts.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw unreadable(file, err);
  }
}

function unreadable(file: string, err: unknown): DatasetError {
  const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new DatasetError(file, `unreadable image: ${msg} (JPEG, PNG and WebP are supported)`, { cause: err });
}
