// What a reader hands the importer: image records streamed in chunks, per split, with the source's shape and classes.

export const DATASET_FORMATS = ['cifar10', 'cifar100', 'idx', 'folder'] as const;
/** Formats a user can import; `synthetic` is the generated demo data. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
export type CacheFormat = DatasetFormat | 'synthetic';

export const SPLIT_NAMES = ['train', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** `count` images of one split, NHWC uint8, with their labels, read from `file`. */
export interface RecordChunk {
  split: SplitName;
  images: Uint8Array;
  labels: Uint16Array;
  count: number;
  file: string;
}

/** Known before reading starts. */
export interface SourceInfo {
  format: CacheFormat;
  /** [height, width, channels]. */
  shape: [number, number, number];
  numClasses: number;
  /** Images in all splits when the reader knows before reading (file sizes, headers, listings). */
  total?: number;
  /** Whether a horizontal flip keeps the class (false for digit-like data). */
  hflip: boolean;
  /** The reader's options as imported (resize, channels, held-out test share), recorded in the manifest. */
  options: Record<string, unknown>;
}

/** Known once every record has been read. */
export interface SourceEnd {
  classNames: string[];
  /**
   * sha256 of the source: of the file itself for a single file (archive), else of the
   * `sha256sum`-style listing "<hex>  <relative path>\n" of every file read, sorted by path.
   */
  sha256: string;
}

export interface ReadContext {
  signal?: AbortSignal;
  /** Called as each source file is opened. */
  onFile?: (file: string) => void;
}

/** A dataset source ready to stream; `records` yields every chunk, train and test interleaved as the source has them. */
export interface DatasetSource {
  readonly path: string;
  readonly info: SourceInfo;
  records(ctx: ReadContext): AsyncGenerator<RecordChunk, SourceEnd>;
}
