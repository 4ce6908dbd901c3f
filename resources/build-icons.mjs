#!/usr/bin/env node
// Renders the app icon (resources/icon.svg) into what the installers need, with sharp:
//   resources/icon.png            512×512 (the app's own icon)
//   resources/icons/<n>x<n>.png   the Linux icon set (AppImage, .deb): 16 … 512
//   resources/icon.ico            Windows (NSIS, the .exe): 16 … 256, PNG-compressed entries
// Run with `npm run icons` after changing icon.svg; the PNGs and the ICO are committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

const svg = fs.readFileSync(path.join(here, 'icon.svg'));
/** The SVG drawn at `size` (rasterised large, then reduced, so small sizes stay crisp). */
const render = (size) => sharp(svg, { density: Math.max(72, Math.ceil((72 * size) / 64) * 2) }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();

/** An ICO file holding PNG images (Windows Vista and later read PNG entries). */
export function icoOf(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2);
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

fs.mkdirSync(path.join(here, 'icons'), { recursive: true });
fs.writeFileSync(path.join(here, 'icon.png'), await render(512));
for (const size of LINUX_SIZES) fs.writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), await render(size));
const ico = [];
for (const size of ICO_SIZES) ico.push({ size, png: await render(size) });
fs.writeFileSync(path.join(here, 'icon.ico'), icoOf(ico));
console.log(`wrote icon.png, icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png and icon.ico (${ICO_SIZES.join(', ')})`);
