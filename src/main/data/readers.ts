// Pick the reader for a format: every reader turns a path into a DatasetSource.
import { openCifarSource } from './cifar';
import { openIdxSource } from './idx';
import { openFolderSource, type FolderOptions } from './image-folder';
import type { DatasetFormat, DatasetSource } from './source';

export type ReaderOptions = FolderOptions;

export function openSource(format: DatasetFormat, p: string, opts: ReaderOptions = {}): Promise<DatasetSource> {
  switch (format) {
    case 'cifar10':
    case 'cifar100':
      return openCifarSource(format, p);
    case 'idx':
      return openIdxSource(p);
    case 'folder':
      return openFolderSource(p, opts);
  }
}
