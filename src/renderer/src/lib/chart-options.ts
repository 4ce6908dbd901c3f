// ECharts options for the Run view: curves, α heat-maps, op-correlation matrices.
import type { EChartsOption } from './echarts';
import type { CurveSet } from './curves';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function curveOption(set: CurveSet): EChartsOption {
  return {
    animation: false,
    color: PALETTE,
    grid: { left: 58, right: 16, top: 30, bottom: 40 },
    legend: { top: 0, type: 'scroll', textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '–') },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1 },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(6))) : v.toExponential(2)) } },
    series: set.series.map((s, i) => ({
      name: s.name,
      type: 'line',
      data: s.points,
      showSymbol: s.points.length < 60,
      symbolSize: 5,
      connectNulls: false,
      // Series that come in pairs of cell types share a colour: normal solid, reduction dashed.
      ...(s.group !== undefined ? { color: PALETTE[s.group % PALETTE.length] } : { color: PALETTE[i % PALETTE.length] }),
      lineStyle: { width: 1.6, type: s.dashed ? 'dashed' : 'solid' },
    })),
  };
}

/** A heat-map of rows × columns, values in [0, max]; null cells stay blank. */
export function matrixOption(opts: { rows: string[]; columns: string[]; values: (number | null)[][]; min?: number; max?: number; title?: string; digits?: number }): EChartsOption {
  const data: [number, number, number | '-'][] = [];
  opts.values.forEach((row, r) => row.forEach((v, c) => data.push([c, r, v === null || !Number.isFinite(v) ? '-' : v])));
  const finite = data.map((d) => d[2]).filter((v): v is number => typeof v === 'number');
  const digits = opts.digits ?? 3;
  return {
    animation: false,
    title: opts.title ? { text: opts.title, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } } : undefined,
    grid: { left: 110, right: 16, top: opts.title ? 24 : 8, bottom: 92 },
    tooltip: {
      position: 'top',
      formatter: (p: unknown) => {
        const { value } = p as { value: [number, number, number | '-'] };
        const v = value[2];
        return `${opts.rows[value[1]]} · ${opts.columns[value[0]]}: ${typeof v === 'number' ? v.toFixed(digits) : '–'}`;
      },
    },
    xAxis: { type: 'category', data: opts.columns, axisLabel: { rotate: 40, fontSize: 10, interval: 0 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: opts.rows, inverse: true, axisLabel: { fontSize: 10, interval: 0 }, splitArea: { show: true } },
    visualMap: {
      min: opts.min ?? Math.min(...finite, 0),
      max: opts.max ?? Math.max(...finite, 1e-9),
      precision: digits,
      text: [(opts.max ?? Math.max(...finite, 1e-9)).toFixed(digits), (opts.min ?? Math.min(...finite, 0)).toFixed(digits)],
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      textStyle: { fontSize: 10 },
      inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] },
    },
    series: [{ type: 'heatmap', data, label: { show: false }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  };
}

/** Per-class accuracy as bars (classes along x), in [0, 1]. */
export function perClassOption(classes: readonly string[], accuracy: readonly (number | null)[]): EChartsOption {
  return {
    animation: false,
    grid: { left: 48, right: 12, top: 12, bottom: 70 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(1)} %` : '–') },
    xAxis: { type: 'category', data: [...classes], axisLabel: { rotate: 40, fontSize: 10, interval: 0 } },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(100 * v)} %` } },
    series: [{ type: 'bar', data: accuracy.map((a) => (a === null ? '-' : a)), itemStyle: { color: '#2f6fde' }, barMaxWidth: 28 }],
  };
}
