// An imported dataset opened from its cache folder: the manifest plus lazily loaded split stores.
import path from 'node:path';
import { DatasetError } from './errors';
import type { DatasetManifest } from './manifest';
import type { SplitName } from './source';
import { SplitStore } from './split-store';

export class CachedDataset {
  private readonly stores = new Map<SplitName, SplitStore>();

  constructor(
    readonly dir: string,
    readonly manifest: DatasetManifest,
    private readonly inMemoryLimit?: number,
  ) {}

  get name(): string {
    return this.manifest.name;
  }

  get shape(): [number, number, number] {
    return this.manifest.shape;
  }

  get classNames(): string[] {
    return this.manifest.classNames;
  }

  hasSplit(split: SplitName): boolean {
    return this.manifest.splits[split] !== undefined;
  }

  /** The split's store (nothing is read until its first batch). */
  split(split: SplitName): SplitStore {
    let store = this.stores.get(split);
    if (!store) {
      const info = this.manifest.splits[split];
      if (!info) throw new DatasetError(this.dir, `dataset ${this.name} has no ${split} split`);
      store = new SplitStore(path.join(this.dir, info.images), path.join(this.dir, info.labels), info.count, this.manifest.shape, this.inMemoryLimit);
      this.stores.set(split, store);
    }
    return store;
  }

  /** Absolute paths of each class's thumbnails. */
  thumbnails(): string[][] {
    return this.manifest.thumbnails.map((list) => list.map((rel) => path.join(this.dir, rel)));
  }

  async close(): Promise<void> {
    for (const s of this.stores.values()) await s.close();
    this.stores.clear();
  }
}
