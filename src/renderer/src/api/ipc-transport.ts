// Transport over Electron IPC: the preload's `window.nasw` bridge; dropped files are imported from where they lie.
import type { NaswBridge } from '../../../shared/api/channel-names';
import type { ImportSourceDto } from '../../../shared/api/dto';
import type { Dropped, RendererTransport } from './transport';

/** The folder holding a path ('/a/b/c.gz' → '/a/b', 'C:\\x\\y' → 'C:\\x'). */
export function parentDir(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? p.slice(0, i + 1) || p : p.slice(0, i);
}

/** One path to import: a dropped folder or archive as it is; loose files (IDX, CIFAR batches) by their common folder. */
export function dropPath(paths: readonly string[]): string {
  const found = paths.filter((p) => p !== '');
  if (found.length === 0) throw new Error('The dropped items have no path on disk: drop files or folders from the file manager.');
  if (found.length === 1) return found[0]!;
  const dirs = new Set(found.map(parentDir));
  if (dirs.size > 1) throw new Error('Drop one folder or archive, or files that sit in one folder.');
  return [...dirs][0]!;
}

/**
 * The path to import for what was dropped or chosen. A folder chosen with a folder picker arrives as its files
 * (relative paths `set/cat/1.png`): their top folder is `set`, found by taking the relative part off a file's path.
 */
export function droppedPath(dropped: Dropped, pathOf: (f: File) => string): string {
  const nested = dropped.files.filter((f) => f.path.includes('/'));
  if (nested.length > 0 && nested.length === dropped.files.length) {
    const first = nested[0]!;
    const abs = pathOf(first.file);
    const top = first.path.split('/')[0]!;
    const tail = first.path.slice(top.length + 1).split('/');
    let dir = abs;
    for (let i = 0; i < tail.length; i++) dir = parentDir(dir);
    if (abs !== '' && dir !== abs) return dir;
  }
  return dropPath(dropped.roots.map(pathOf));
}

export function createIpcTransport(bridge: NaswBridge): RendererTransport {
  return {
    kind: 'ipc',
    invoke: (channel, payload) => bridge.invoke(channel, payload),
    on: (event, listener) => bridge.on(event, listener),
    // IPC cannot drop: always connected while the window lives.
    onConnection: (listener) => {
      listener('open');
      return () => {};
    },
    async stage(dropped: Dropped): Promise<ImportSourceDto> {
      return { kind: 'path', path: droppedPath(dropped, (f) => bridge.pathForFile(f)) };
    },
  };
}
