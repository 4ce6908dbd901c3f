// One colour per operation, shared by the cell graphs, their legends and the α heat-map labels.
import { PRIMITIVES } from '../../../shared/search-space';

const COLORS: Record<string, string> = {
  none: '#9e9e9e',
  max_pool_3x3: '#1f77b4',
  avg_pool_3x3: '#17becf',
  skip_connect: '#7f7f7f',
  sep_conv_3x3: '#d62728',
  sep_conv_5x5: '#ff7f0e',
  dil_conv_3x3: '#2ca02c',
  dil_conv_5x5: '#9467bd',
};

export function opColor(op: string): string {
  return COLORS[op] ?? '#8c564b';
}

export const OP_LEGEND = PRIMITIVES.filter((p) => p !== 'none').map((op) => ({ op, color: opColor(op) }));
