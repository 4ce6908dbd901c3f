// Dataset DTOs: an imported dataset's registration (the images themselves live in its cache folder).

export interface DatasetShape {
  channels: number;
  height: number;
  width: number;
}

export interface Dataset {
  id: number;
  name: string;
  /** Source format as the importer names it (cifar10, cifar100, mnist, fashion-mnist, image-folder, synthetic …). */
  format: string;
  shape: DatasetShape;
  classes: string[];
  /** Images per class for each split (`train`, `test` …), in `classes` order. */
  classCounts: Record<string, number[]>;
  checksum: string;
  cachePath: string;
  /** Where it was imported from, if known. */
  source: string | null;
  createdAt: string;
}

export type NewDataset = Omit<Dataset, 'id' | 'createdAt' | 'source'> & { source?: string | null };
