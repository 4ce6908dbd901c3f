// What a drop or a file picker gave: the top-level items and every file under them with its relative path
// (folders walked through the File and Directory Entries API).

import type { Dropped, DroppedFile } from '../api/transport';
import { datasetSlug } from '../../../shared/dataset-name';

/** The parts of FileSystemEntry this reads (typed here: the DOM lib's types differ across TypeScript versions). */
interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void };
}

async function walk(entry: Entry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, fail) => entry.file!(ok, fail));
    out.push({ file, path });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries answers in batches until an empty one.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const child of batch) {
        if (!child.name.startsWith('.')) await walk(child, path, out);
      }
    }
  }
}

/**
 * Read a drop. The entries are taken synchronously (a DataTransfer empties once the handler returns), then
 * folders are walked. Items without an entry (synthetic drops) are taken as plain files.
 */
export function readDrop(dt: DataTransfer): Promise<Dropped> {
  const roots = Array.from(dt.files);
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => ({ entry: (i.webkitGetAsEntry?.() ?? null) as Entry | null, file: i.getAsFile() }));
  return (async () => {
    const files: DroppedFile[] = [];
    if (entries.length === 0) for (const f of roots) files.push({ file: f, path: f.name });
    for (const { entry, file } of entries) {
      if (entry) await walk(entry, '', files);
      else if (file) files.push({ file, path: file.name });
    }
    return { roots, files };
  })();
}

/** Files from an <input type=file> (with `webkitdirectory`, each keeps its path under the chosen folder). */
export function readPicked(list: FileList | readonly File[]): Dropped {
  const files = Array.from(list);
  return { roots: files, files: files.map((file) => ({ file, path: file.webkitRelativePath || file.name })) };
}

const IDX_NAME = /^(train|t10k)-(images|labels)[-.]idx[13]-ubyte(\.gz)?$/;
const CIFAR_NAME = /^(cifar-(10|100)-binary\.tar\.gz|data_batch_\d\.bin|test_batch\.bin|train\.bin|test\.bin)$/;

/** A dataset name to suggest for a drop: the folder's or archive's name; none for CIFAR (the importer names it). */
export function suggestName(dropped: Dropped, now = new Date()): string | undefined {
  const tops = [...new Set(dropped.files.map((f) => f.path.split('/')[0]!))];
  if (tops.some((t) => CIFAR_NAME.test(t))) return undefined;
  if (tops.length === 1 && dropped.files.some((f) => f.path.includes('/'))) return cleanName(tops[0]!);
  if (tops.length === 1) return cleanName(tops[0]!.replace(/\.(tar\.gz|tgz|gz|zip)$/i, ''));
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
  return tops.every((t) => IDX_NAME.test(t)) ? `idx-${stamp}` : `dataset-${stamp}`;
}

/** The importer's rule: letters (any script), digits, `.`, `_`, `-`, starting with a letter or digit. */
export function cleanName(s: string): string | undefined {
  return datasetSlug(s);
}

/** "3 files, 1.2 MB". */
export function describeDrop(dropped: Dropped): string {
  const bytes = dropped.files.reduce((n, f) => n + f.file.size, 0);
  const size = bytes < 1 << 20 ? `${Math.max(1, Math.round(bytes / 1024))} kB` : `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${dropped.files.length} file${dropped.files.length === 1 ? '' : 's'}, ${size}`;
}
