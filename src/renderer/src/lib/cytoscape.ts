// cytoscape with the dagre layout registered once, and the workbench's cell-graph style.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';

cytoscape.use(dagre);

export const CELL_GRAPH_STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 11,
      'font-family': 'system-ui, sans-serif',
      width: 38,
      height: 26,
      shape: 'round-rectangle',
      'background-color': '#dbe9f6',
      'border-width': 1,
      'border-color': '#5b7fa6',
      color: '#1b2a3a',
    },
  },
  { selector: 'node[role = "input"]', style: { 'background-color': '#d8f0d2', 'border-color': '#4a8a3b', width: 58 } },
  { selector: 'node[role = "output"]', style: { 'background-color': '#fbe7b5', 'border-color': '#a6801b', width: 44 } },
  {
    selector: 'edge',
    style: {
      width: 2,
      'curve-style': 'bezier',
      'line-color': 'data(color)',
      'target-arrow-color': 'data(color)',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      label: 'data(label)',
      'font-size': 9,
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      color: '#222',
    },
  },
  { selector: 'edge[op = ""]', style: { 'line-style': 'dashed', width: 1.2, 'target-arrow-shape': 'none' } },
  { selector: 'edge.hovered', style: { width: 4 } },
  // Compare view: an edge the other genotypes do not have.
  { selector: 'edge[?diff]', style: { width: 3.5, 'underlay-color': '#e53935', 'underlay-opacity': 0.28, 'underlay-padding': 5, 'font-weight': 'bold', color: '#b71c1c' } },
] as const;

export { cytoscape };
