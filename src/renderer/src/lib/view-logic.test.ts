import { describe, expect, it } from 'vitest';
import type { CompareEntryDto } from '../../../shared/api/dto';
import { PUBLISHED_GENOTYPES } from '../../../shared/published-genotypes';
import { droppedPath, dropPath, parentDir } from '../api/ipc-transport';
import { uploadUrlPath } from '../api/http-transport';
import { parseIds, parseRoute, routeHref, runHref, type Route } from '../router';
import { epoch, runSummary } from '../testing/samples';
import { cellGraph } from './cell-graph';
import { compareCurves, runsIn } from './compare-curves';
import { cleanName, describeDrop, readPicked, suggestName } from './dropped-files';
import { differenceCounts, differingEdges, edgeKeys } from './genotype-diff';
import { compareCsv, compareJson, csvField, epochsCsv, toCsv } from './metrics-export';
import { retrainCurves } from './retrain-curves';
import { checkRetrainForm, defaultRetrainForm, readGenotypeText, retrainIssuesFromApi } from './retrain-form';
import { blankSpace, checkSpace, setOp, spaceForm, spaceShape } from './space-form';

const V1 = PUBLISHED_GENOTYPES.DARTS_V1;
const V2 = PUBLISHED_GENOTYPES.DARTS_V2;

describe('routes', () => {
  it('round-trip every view and its selection', () => {
    const routes: Route[] = [
      { name: 'runs' },
      { name: 'runs', newSearch: {} },
      { name: 'runs', newSearch: { space: 'my space' } },
      { name: 'run', id: 4 },
      { name: 'datasets' },
      { name: 'datasets', dataset: 'cifar10' },
      { name: 'spaces' },
      { name: 'spaces', space: 'tiny-convs' },
      { name: 'compare', ids: [] },
      { name: 'compare', ids: [3, 7, 12] },
      { name: 'retrain' },
      { name: 'retrain', id: 15 },
      { name: 'retrain', genotype: 4 },
    ];
    for (const r of routes) expect(parseRoute(routeHref(r))).toEqual(r);
    expect(routeHref({ name: 'compare', ids: [3, 7] })).toBe('#/compare/3,7');
    expect(routeHref({ name: 'runs', newSearch: { space: 'a b' } })).toBe('#/runs/new?space=a%20b');
  });

  it('keep compare ids in order without duplicates or junk, and send unknown paths to not-found', () => {
    expect(parseIds('7,3,7,x,0,12')).toEqual([7, 3, 12]);
    expect(parseRoute('#/compare/2,,5')).toEqual({ name: 'compare', ids: [2, 5] });
    expect(parseRoute('#/retrain/x').name).toBe('not-found');
    expect(parseRoute('#/spaces/a/b').name).toBe('not-found');
    expect(parseRoute('')).toEqual({ name: 'runs' });
  });

  it('show each run kind in its view', () => {
    expect(runHref({ id: 5, kind: 'retrain', parentId: 2 })).toBe('#/retrain/5');
    expect(runHref({ id: 5, kind: 'search', parentId: null })).toBe('#/runs/5');
    expect(runHref({ id: 9, kind: 'discretize', parentId: 2 })).toBe('#/runs/2');
  });
});

describe('dropped files', () => {
  const file = (name: string, size = 10, rel = '') => Object.assign(new File([new Uint8Array(size)], name), rel ? { webkitRelativePath: rel } : {});

  it('take a folder picker’s files with their paths, and describe the drop', () => {
    const picked = readPicked([file('a.png', 1024, 'set/cat/a.png'), file('b.png', 2048, 'set/dog/b.png')]);
    expect(picked.files.map((f) => f.path)).toEqual(['set/cat/a.png', 'set/dog/b.png']);
    expect(describeDrop(picked)).toBe('2 files, 3 kB');
  });

  it('suggest a dataset name: the folder or archive, none for CIFAR, a dated one for loose IDX files', () => {
    const drop = (...paths: string[]) => ({ roots: [], files: paths.map((p) => ({ file: file(p.split('/').pop()!), path: p })) });
    expect(suggestName(drop('my set/cat/1.png', 'my set/dog/2.png'))).toBe('my-set');
    expect(suggestName(drop('flowers.tar.gz'))).toBe('flowers');
    expect(suggestName(drop('cifar-10-binary.tar.gz'))).toBeUndefined();
    expect(suggestName(drop('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'), new Date(2026, 10, 29, 13, 5))).toBe('idx-1129-1305');
    expect(cleanName('.hidden name!')).toBe('hidden-name');
    // Letters of any script stay (they used to become dashes, leaving 'n-dataset-' and the like).
    expect(cleanName('Fashion-MNIST-données')).toBe('Fashion-MNIST-données');
    expect(cleanName('手写数字')).toBe('手写数字');
    expect(suggestName(drop('手写数字/0/a.png', '手写数字/1/b.png'))).toBe('手写数字');
  });

  it('give the desktop one path: a dropped item, loose files by their folder, a picked folder by its top', () => {
    expect(parentDir('/a/b/c.gz')).toBe('/a/b');
    expect(parentDir('C:\\data\\x.bin')).toBe('C:\\data');
    expect(dropPath(['/data/cifar-10-binary.tar.gz'])).toBe('/data/cifar-10-binary.tar.gz');
    expect(dropPath(['/d/mnist/train-images-idx3-ubyte', '/d/mnist/train-labels-idx1-ubyte'])).toBe('/d/mnist');
    expect(() => dropPath(['/a/x', '/b/y'])).toThrow(/one folder/);
    expect(() => dropPath(['', ''])).toThrow(/no path on disk/);
    const a = file('a.png', 1, 'set/cat/a.png');
    const picked = readPicked([a]);
    expect(droppedPath(picked, () => '/home/me/set/cat/a.png')).toBe('/home/me/set');
    expect(uploadUrlPath('set/cat 1/a#b.png')).toBe('set/cat%201/a%23b.png');
  });
});

describe('genotype differences', () => {
  it('key edges by node, input and op, and mark those not in every genotype', () => {
    expect(edgeKeys(V2, 'normal').slice(0, 3)).toEqual(['0:0:sep_conv_3x3', '0:1:sep_conv_3x3', '1:0:sep_conv_3x3']);
    const [a, b] = differingEdges([V1, V2], 'normal');
    // V1 normal: (sep 1, sep 0), (skip 0, sep 1), (skip 0, sep 1), (sep 0, skip 2); V2: (sep 0, sep 1), (sep 0, sep 1), (sep 1, skip 0), (skip 0, dil 2).
    // Same at node 0, node 1's sep from 1 and node 2 (in either order); node 1's first edge and node 3 differ.
    expect([...a!].sort()).toEqual([2, 6, 7]);
    expect([...b!].sort()).toEqual([2, 6, 7]);
    expect(differingEdges([V2, V2], 'reduce').map((s) => s.size)).toEqual([0, 0]);
    expect(differingEdges([V2], 'normal')[0]!.size).toBe(0);
    expect(differenceCounts([V1, V2])).toEqual([3 + differingEdges([V1, V2], 'reduce')[0]!.size, 3 + differingEdges([V1, V2], 'reduce')[1]!.size]);
    // Three genotypes: an edge two of them share still differs from the third.
    expect(differingEdges([V2, V2, V1], 'normal')[0]!.size).toBe(3);
  });

  it('draw the differing edges marked in the cell graph', () => {
    const diff = differingEdges([V1, V2], 'normal')[1]!;
    const g = cellGraph(V2, 'normal', null, 2, diff);
    expect(g.edges.filter((e) => e.diff).map((e) => e.id)).toEqual(['e2', 'e6', 'e7']);
    expect(g.edges[2]!.label).toBe('≠ sep_conv_3x3');
    expect(g.edges[0]!.label).toBe('sep_conv_3x3');
  });
});

function entry(id: number, kind: 'search' | 'retrain', epochs: number): CompareEntryDto {
  return {
    run: runSummary({ id, kind, name: `run ${id}` }),
    epochs: Array.from({ length: epochs }, (_, e) => ({ epoch: e, trainLoss: 2 - e, trainAcc: 0.1 * e, valLoss: kind === 'search' ? 2.1 - e : null, valAcc: kind === 'search' ? 0.2 : null, testLoss: kind === 'retrain' ? 1.5 : null, testAcc: kind === 'retrain' ? 0.3 : null, zeroRatio: kind === 'search' ? { normal: 0.2, reduce: 0.1 } : { normal: null, reduce: null }, seconds: 3 })),
    genotype: null,
    figures: { accuracy: kind === 'search' ? 'val' : 'test', best: 0.3, final: 0.25, network: { parameters: 3_300_000, parametersWithAuxiliary: 3_400_000, multiplyAdds: 500_000_000, inputShape: [32, 32, 3], numClasses: 10 }, networkNote: '20 cells × 36 channels, 32×32×3', supernet: null, trainSeconds: 50, elapsedSeconds: 60 },
  };
}

describe('comparison curves and exports', () => {
  it('overlay every run on shared axes: train dashed, val or test solid, zero-ratio for searches only', () => {
    const [loss, acc, zero] = compareCurves([entry(3, 'search', 2), entry(8, 'retrain', 3)]);
    expect(loss!.series.map((s) => [s.name, s.dashed, s.group, s.points.length])).toEqual([
      ['#3 train', true, 0, 2],
      ['#3 val', false, 0, 2],
      ['#8 train', true, 1, 3],
      ['#8 test', false, 1, 3],
    ]);
    expect(runsIn(acc!)).toEqual([3, 8]);
    expect(runsIn(zero!)).toEqual([3]);
    expect(zero!.series).toHaveLength(2);
  });

  it('write the metrics table as CSV (quoted where needed) and JSON', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField(Number.NaN)).toBe('');
    expect(toCsv(['a', 'b'], [[1, null]])).toBe('a,b\r\n1,\r\n');
    const e = entry(3, 'search', 2);
    e.genotype = { id: 1, runId: 3, checkpointId: null, method: 'value', name: null, text: "Genotype(normal=[('sep_conv_3x3', 0)])", genotype: V2, scores: null, params: null, madds: null, createdAt: '' };
    const lines = compareCsv([e, entry(8, 'retrain', 1)]).trim().split('\r\n');
    expect(lines[0]).toBe('run,name,kind,status,dataset,space,method,accuracy_on,best_accuracy,final_accuracy,parameters,multiply_adds,network,supernet_parameters,supernet_multiply_adds,train_seconds,elapsed_seconds,backend,device,genotype');
    expect(lines[1]).toBe('3,run 3,search,completed,synthetic,S1,iDARTS (node norm),val,0.3,0.25,3300000,500000000,"20 cells × 36 channels, 32×32×3",,,50,60,cpu,CPU (plain JavaScript),"Genotype(normal=[(\'sep_conv_3x3\', 0)])"');
    const json = JSON.parse(compareJson([e])) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ run: 3, best_accuracy: 0.3, parameters: 3300000 });
    expect((json[0]!.epochs as unknown[]).length).toBe(2);
  });

  it('write epochs as CSV, a retrain’s test accuracy from its error', () => {
    const retrain = { ...epoch(0), trainLoss: 1.4, valLoss: null, valAcc: null, testLoss: null, testAcc: null, metrics: { testLoss: 1.5, testTop1Error: 0.75 } };
    const csv = epochsCsv([retrain]).split('\r\n');
    expect(csv[0]).toBe('epoch,lr,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,zero_ratio_normal,zero_ratio_reduce,seconds');
    expect(csv[1]!.split(',').slice(0, 8)).toEqual(['1', '0.025', '1.4', '0.2', '', '', '1.5', '0.25']);
  });
});

describe('retrain form', () => {
  it('prefills a recipe with the schema’s values, the genotype aside', () => {
    const cifar = defaultRetrainForm('cifar', 'tiny8');
    expect(cifar).toMatchObject({ cells: 20, channels: 36, epochs: 600, batchSize: 96, auxiliary: true, dropPath: 0.2, data: { dataset: 'tiny8', augment: { cutout: 16 } } });
    expect(cifar).not.toHaveProperty('genotype');
    expect(defaultRetrainForm('imagenet')).toMatchObject({ cells: 14, channels: 48, stem: 'imagenet', optim: { schedule: 'exponential', lr: 0.1 } });
  });

  it('validates with the genotype, mapping issues to fields', () => {
    const m = defaultRetrainForm();
    expect(checkRetrainForm(m, V2)).toEqual({ ok: true, issues: {} });
    expect(checkRetrainForm(m, null).issues).toEqual({ genotype: 'choose a genotype' });
    m.channels = 5;
    m.optim.lrMin = 1;
    expect(Object.keys(checkRetrainForm(m, V2).issues).sort()).toEqual(['channels', 'optim.lrMin']);
    expect(retrainIssuesFromApi([{ path: 'config.optim.lr', message: 'x' }])).toEqual({ 'optim.lr': 'x' });
  });

  it('reads pasted text with its name, or places the error', () => {
    expect(readGenotypeText("DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])")).toMatchObject({ name: 'DARTS_V2', error: null });
    const bad = readGenotypeText("Genotype(normal=[('sep_conv_3x3', 0), ('bogus', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])");
    expect(bad.genotype).toBeNull();
    expect(bad.error).toMatchObject({ line: 1, column: expect.any(Number), message: expect.stringMatching(/bogus/) });
    expect(readGenotypeText('').error?.message).toMatch(/no genotype given/);
  });

  it('turn a retrain’s epochs into curves: test accuracy is 1 − top-1 error', () => {
    const e = { ...epoch(0), valLoss: null, valAcc: null, metrics: { trainLoss: 1.4, trainAcc: 0.3, testLoss: 1.5, testTop1Error: 0.75, testTop5Error: 0.1 } };
    const [loss, acc, err] = retrainCurves([e]);
    expect(loss!.series.map((s) => s.points)).toEqual([[[1, e.trainLoss]], [[1, 1.5]]]);
    expect(acc!.series[1]!.points).toEqual([[1, 0.25]]);
    expect(err!.id).toBe('error');
    expect(err!.series.map((s) => s.points[0]![1])).toEqual([0.75, 0.1]);
  });
});

describe('search-space editor', () => {
  it('validates by the shared schema and keeps the presets’ names', () => {
    const m = blankSpace();
    expect(checkSpace(m, []).issues).toEqual({ name: 'give the space a name' });
    m.name = 'S1';
    expect(checkSpace(m, []).issues.name).toMatch(/built-in preset/);
    m.name = 'mine';
    m.channels = 7;
    expect(checkSpace(m, []).issues).toEqual({ channels: 'channels must be even (FactorizedReduce halves them)' });
    m.channels = 8;
    setOp(m, 'none', true);
    setOp(m, 'skip_connect', false);
    setOp(m, 'sep_conv_3x3', false);
    expect(checkSpace(m, []).issues.ops).toMatch(/besides none/);
    setOp(m, 'dil_conv_5x5', true);
    setOp(m, 'max_pool_3x3', true);
    const ok = checkSpace(m, ['mine']);
    expect(ok).toMatchObject({ ok: true, replaces: true, space: { name: 'mine', ops: ['none', 'max_pool_3x3', 'dil_conv_5x5'] } });
  });

  it('copies a space and counts its edges and α entries', () => {
    expect(spaceForm({ name: 'S3', ops: ['none', 'skip_connect', 'sep_conv_3x3'], nodes: 4, cells: 8, channels: 16 }, 'S3-copy').name).toBe('S3-copy');
    expect(spaceShape({ nodes: 4, ops: ['none', 'skip_connect', 'sep_conv_3x3'] })).toEqual({ edges: 14, alphas: 84 });
    expect(spaceShape({ nodes: 2, ops: ['none', 'skip_connect'] })).toEqual({ edges: 5, alphas: 20 });
  });
});
