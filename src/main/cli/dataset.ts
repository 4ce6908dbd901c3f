// `nasw dataset import | list | show | delete`: the dataset cache from the command line.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { DATASET_FORMATS, importDataset, listDatasets, openDataset, type DatasetFormat, type DatasetManifest, type ImportProgress } from '../data/index';
import { deleteDatasetChecked, recordDataset } from '../jobs/dataset-records';
import { homePaths } from '../store/home';
import { openHomeStore } from './job-session';
import { bar, output } from './output';

interface ImportFlags {
  name?: string;
  format?: DatasetFormat;
  size: string;
  channels?: string;
  testFraction?: string;
  json: boolean;
}

const num = (v: string, flag: string, ok: (n: number) => boolean, want: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !ok(n)) throw new Error(`${flag} expects ${want}, got '${v}'`);
  return n;
};

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function splitsText(m: DatasetManifest): string {
  return `train ${m.splits.train.count}${m.splits.test ? `, test ${m.splits.test.count}` : ', no test split'}`;
}

function summary(m: DatasetManifest): string {
  return `${m.name}: ${m.format}, ${m.shape.join('×')}, ${m.classNames.length} classes, ${splitsText(m)}, ${mb(m.bytes)}`;
}

function details(m: DatasetManifest, dir: string): string {
  const width = Math.max(...m.classNames.map((n) => n.length), 5);
  const rows = m.classNames.map((n, i) => `  ${String(i).padStart(3)}  ${n.padEnd(width)}  ${String(m.splits.train.perClass[i]).padStart(7)}  ${m.splits.test ? String(m.splits.test.perClass[i]).padStart(7) : ''}`);
  const f = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(', ');
  return [
    summary(m),
    `folder     ${dir}`,
    `source     ${m.source.path}`,
    `sha256     ${m.source.sha256}`,
    `created    ${m.created}`,
    `mean       ${f(m.stats.mean)}   std ${f(m.stats.std)}   (train pixels in [0, 1])`,
    `flip       ${m.hflip ? 'keeps the class' : 'off (digit-like data)'}`,
    `options    ${JSON.stringify(m.options)}`,
    `  ${'#'.padStart(3)}  ${'class'.padEnd(width)}  ${'train'.padStart(7)}  ${m.splits.test ? 'test'.padStart(7) : ''}`,
    ...rows,
  ].join('\n');
}

export function registerDatasetCommands(program: Command, getHome: () => string): void {
  const datasets = () => homePaths(getHome()).datasets;
  const cmd = program.command('dataset').description('import, list, show and delete cached datasets');

  cmd
    .command('import <path>')
    .description('import CIFAR-10/100 (binary version, folder or .tar.gz), MNIST-style IDX files, or a folder of class sub-folders')
    .option('--name <name>', 'dataset name (default: cifar10 / cifar100, or the folder name)')
    .addOption(new Option('--format <format>', 'skip detection').choices(DATASET_FORMATS))
    .option('--size <px>', 'image folders: square side to resize to (cover: fill, centre-crop); 0 keeps the size', '32')
    .addOption(new Option('--channels <n>', 'image folders: convert every image to 1 (grey) or 3 (colour) channels').choices(['1', '3']))
    .option('--test-fraction <f>', 'image folders without test/ or val/: share of each class held out as the test split (default 0.1)')
    .option('--json', 'JSON lines instead of text', false)
    .action(async (source: string, flags: ImportFlags) => {
      const out = output(flags.json);
      const started = performance.now();
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      let last = 0;
      const onProgress = (p: ImportProgress) => {
        const now = performance.now();
        if (p.phase === 'done') return;
        if (p.phase === 'reading' && now - last < (flags.json ? 500 : 100)) return;
        last = now;
        const of = p.total ? ` / ${p.total}` : '';
        const pre = p.total ? `${bar(p.images / p.total)} ` : '';
        out.progress({ event: 'progress', ...p }, `importing ${pre}${p.images}${of} images${p.file ? ` (${path.basename(p.file)})` : ''}${p.phase === 'finishing' ? ': statistics, thumbnails' : ''}`);
      };
      try {
        const m = await importDataset(path.resolve(source), datasets(), {
          name: flags.name,
          format: flags.format,
          size: num(flags.size, '--size', (n) => Number.isInteger(n) && n >= 0 && n <= 4096, 'an integer from 0 to 4096'),
          channels: flags.channels === undefined ? undefined : (Number(flags.channels) as 1 | 3),
          testFraction: flags.testFraction === undefined ? undefined : num(flags.testFraction, '--test-fraction', (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
          signal: ac.signal,
          onProgress,
        });
        const store = openHomeStore(getHome());
        try {
          recordDataset(store, getHome(), m);
        } finally {
          store.close();
        }
        const seconds = (performance.now() - started) / 1000;
        out.result({ event: 'done', seconds, folder: path.join(datasets(), m.name), manifest: m }, `imported ${summary(m)} in ${seconds.toFixed(1)}s`);
      } catch (err) {
        if (ac.signal.aborted) throw new Error('import cancelled: nothing was kept');
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  cmd
    .command('list')
    .description('the cached datasets')
    .option('--json', 'JSON instead of text', false)
    .action(async (flags: { json: boolean }) => {
      const out = output(flags.json);
      const all = await listDatasets(datasets());
      out.result(all, all.length === 0 ? `no datasets in ${datasets()} (nasw dataset import <path>; "synthetic" is made on first use)` : all.map(summary).join('\n'));
    });

  cmd
    .command('show <name>')
    .description("a dataset's manifest: shape, classes and per-class counts, statistics, source checksum")
    .option('--json', 'JSON instead of text', false)
    .action(async (name: string, flags: { json: boolean }) => {
      const ds = await openDataset(datasets(), name);
      output(flags.json).result({ ...ds.manifest, folder: ds.dir }, details(ds.manifest, ds.dir));
    });

  cmd
    .command('delete <name>')
    .description('delete a cached dataset')
    .option('--json', 'JSON instead of text', false)
    .action(async (name: string, flags: { json: boolean }) => {
      const store = openHomeStore(getHome());
      try {
        await deleteDatasetChecked(store, getHome(), name);
      } finally {
        store.close();
      }
      output(flags.json).result({ event: 'deleted', name }, `deleted ${name}`);
    });
}
