import { describe, expect, it } from 'vitest';
import { PUBLISHED_GENOTYPES } from '../../../shared/published-genotypes';
import { epoch } from '../testing/samples';
import { cellGraph, cytoscapeElements, nodeCount } from './cell-graph';
import { alphaAt, runCurves } from './curves';
import { edgeLabels, nodesForEdges } from './edge-labels';
import { computeLabel, duration, methodLabel, percent } from './format';
import { applySpacePreset, checkSearchForm, defaultSearchForm, formIssuesFromApi, toggleOp } from './search-form';

describe('cell graph', () => {
  const g = PUBLISHED_GENOTYPES.DARTS_V2;
  it('has c_{k-2}, c_{k-1}, the intermediate nodes and c_k, with op edges and concat edges', () => {
    const graph = cellGraph(g, 'normal');
    expect(graph.nodes.map((n) => n.label)).toEqual(['c_{k-2}', 'c_{k-1}', '0', '1', '2', '3', 'c_{k}']);
    expect(graph.edges.filter((e) => e.op)).toHaveLength(8);
    expect(graph.edges.filter((e) => !e.op).map((e) => e.source)).toEqual(['n0', 'n1', 'n2', 'n3']);
    // DARTS_V2 normal node 3 takes dil_conv_3x3 from node 0 (state 2).
    expect(graph.edges[7]).toMatchObject({ source: 'n0', target: 'n3', op: 'dil_conv_3x3', label: 'dil_conv_3x3' });
    expect(new Set(graph.edges.filter((e) => e.op === 'sep_conv_3x3').map((e) => e.color)).size).toBe(1);
    expect(cytoscapeElements(graph)).toHaveLength(7 + 12);
    expect(nodeCount(g, 'reduce')).toBe(4);
  });

  it('puts each pick’s similarity score on its edge', () => {
    const scores = { picks: [{ node: 0, input: 1, op: 'sep_conv_3x3', score: 0.83 }], opCorrelation: [] };
    const graph = cellGraph(g, 'normal', scores);
    expect(graph.edges[1]!.score).toBe(0.83);
    expect(graph.edges[0]!.score).toBeNull();
  });
});

describe('curves', () => {
  it('gives one point per epoch (x from 1) for every series', () => {
    const sets = runCurves([epoch(1), epoch(0)]);
    const loss = sets.find((s) => s.id === 'loss')!;
    expect(loss.series.map((s) => s.name)).toEqual(['train', 'val']);
    expect(loss.series[0]!.points.map((p) => p[0])).toEqual([1, 2]);
    const norms = sets.find((s) => s.id === 'node-norms')!;
    expect(norms.series).toHaveLength(8);
    expect(norms.series.filter((s) => s.dashed)).toHaveLength(4);
    expect(alphaAt([epoch(0)], 0, 'reduce')).toHaveLength(14);
    expect(alphaAt([epoch(0)], 3, 'reduce')).toBeNull();
  });

  it('names α rows by node and input', () => {
    expect(edgeLabels(2)).toEqual(['0 ← c_{k-2}', '0 ← c_{k-1}', '1 ← c_{k-2}', '1 ← c_{k-1}', '1 ← 0']);
    expect(nodesForEdges(14)).toBe(4);
    expect(nodesForEdges(13)).toBeNull();
  });
});

describe('formatting', () => {
  it('never calls a software device a GPU', () => {
    expect(computeLabel({ backend: 'webgl', device: 'SwiftShader', kind: 'software' }).kind).toBe('software rendering (no GPU)');
    expect(computeLabel({ backend: 'tensorflow', device: 'RTX 4090', kind: 'gpu' }).kind).toBe('GPU');
  });
  it('formats figures', () => {
    expect(percent(0.4567)).toBe('45.7 %');
    expect(percent(null)).toBe('–');
    expect(duration(75)).toBe('1 min 15 s');
    expect(duration(3700)).toBe('1 h 1 min');
    expect(methodLabel({ kind: 'search', nodeNormalization: false })).toBe('DARTS');
  });
});

describe('search form', () => {
  it('starts from the paper defaults, which the shared schema accepts', () => {
    const m = defaultSearchForm();
    expect(m.epochs).toBe(50);
    expect(m.w.lr).toBe(0.025);
    // Frozen α epochs follow the epochs (the schema's 30 %) until set: 15 of 50, 3 of 10.
    expect(m.alpha.freezeEpochs).toBeUndefined();
    expect(checkSearchForm(m).config?.alpha.freezeEpochs).toBe(15);
    m.epochs = 10;
    expect(checkSearchForm(m).config?.alpha.freezeEpochs).toBe(3);
    expect(checkSearchForm(m).ok).toBe(true);
    expect(defaultSearchForm('imagenet').stem).toBe('imagenet');
  });
  it('reports the schema’s reasons by field', () => {
    const m = defaultSearchForm();
    m.space.channels = 5;
    (m as { epochs: unknown }).epochs = '';
    const check = checkSearchForm(m);
    expect(check.ok).toBe(false);
    expect(check.issues['space.channels']).toMatch(/even/);
    expect(Object.keys(check.issues)).toContain('epochs');
    expect(formIssuesFromApi([{ path: 'config.space.nodes', message: 'x' }])).toEqual({ 'space.nodes': 'x' });
  });
  it('switches space presets and marks edited op sets as custom', () => {
    const m = defaultSearchForm();
    applySpacePreset(m, 'S3');
    expect(m.space.ops).toEqual(['none', 'skip_connect', 'sep_conv_3x3']);
    toggleOp(m, 'max_pool_3x3', true);
    expect(m.space.name).toBe('custom');
    expect(m.space.ops).toEqual(['none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3']);
    toggleOp(m, 'max_pool_3x3', false);
    expect(m.space.name).toBe('S3');
  });
});
