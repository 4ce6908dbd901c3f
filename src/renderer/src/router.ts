// A tiny hash router: #/runs, #/runs/12, #/datasets/cifar10, #/spaces/mine, #/compare/3,7, #/retrain, #/retrain/15.
// Works the same from file:// (Electron) and http:// (browser mode); every view's selection lives in the route.
import { computed, ref } from 'vue';

export type Route =
  | { name: 'runs'; newSearch?: { space?: string } }
  | { name: 'run'; id: number }
  | { name: 'datasets'; dataset?: string }
  | { name: 'spaces'; space?: string }
  | { name: 'compare'; ids: number[] }
  | { name: 'retrain'; id?: number; genotype?: number }
  | { name: 'not-found'; path: string };

const decode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/** `3,7,7,x` → [3, 7]: run ids in order, duplicates and junk dropped. */
export function parseIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    if (/^\d+$/.test(part) && Number(part) > 0 && !ids.includes(Number(part))) ids.push(Number(part));
  }
  return ids;
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/runs';
  const [bare, query = ''] = path.split('?', 2) as [string, string?];
  const parts = bare.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  const one = parts.length === 1;
  const second = parts.length === 2 ? decode(parts[1]!) : null;
  switch (parts[0]) {
    case 'runs':
      if (one) return { name: 'runs' };
      if (parts.length === 2 && parts[1] === 'new') return { name: 'runs', newSearch: params.has('space') ? { space: params.get('space')! } : {} };
      if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { name: 'run', id: Number(parts[1]) };
      break;
    case 'datasets':
      if (one) return { name: 'datasets' };
      if (second) return { name: 'datasets', dataset: second };
      break;
    case 'spaces':
      if (one) return { name: 'spaces' };
      if (second) return { name: 'spaces', space: second };
      break;
    case 'compare':
      if (one) return { name: 'compare', ids: [] };
      if (parts.length === 2) return { name: 'compare', ids: parseIds(parts[1]!) };
      break;
    case 'retrain':
      if (one) return /^\d+$/.test(params.get('genotype') ?? '') ? { name: 'retrain', genotype: Number(params.get('genotype')) } : { name: 'retrain' };
      if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { name: 'retrain', id: Number(parts[1]) };
      break;
  }
  return { name: 'not-found', path };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'runs':
      if (!route.newSearch) return '#/runs';
      return route.newSearch.space ? `#/runs/new?space=${encodeURIComponent(route.newSearch.space)}` : '#/runs/new';
    case 'run':
      return `#/runs/${route.id}`;
    case 'datasets':
      return route.dataset ? `#/datasets/${encodeURIComponent(route.dataset)}` : '#/datasets';
    case 'spaces':
      return route.space ? `#/spaces/${encodeURIComponent(route.space)}` : '#/spaces';
    case 'compare':
      return route.ids.length ? `#/compare/${route.ids.join(',')}` : '#/compare';
    case 'retrain':
      if (route.id) return `#/retrain/${route.id}`;
      return route.genotype ? `#/retrain?genotype=${route.genotype}` : '#/retrain';
    default:
      return '#/runs';
  }
}

/** Where a run of any kind is shown: searches in the Run view, retrains in the Retrain view. */
export function runHref(run: { id: number; kind: string; parentId: number | null }): string {
  if (run.kind === 'retrain') return routeHref({ name: 'retrain', id: run.id });
  if (run.kind === 'search') return routeHref({ name: 'run', id: run.id });
  return routeHref({ name: 'run', id: run.parentId ?? run.id });
}

const hash = ref(typeof window === 'undefined' ? '' : window.location.hash);
if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (hash.value = window.location.hash));
export const currentRoute = computed(() => parseRoute(hash.value));

export function navigate(route: Route, opts: { replace?: boolean } = {}): void {
  const href = routeHref(route);
  if (opts.replace) {
    // A selection change (compare picks) replaces the entry instead of piling up history.
    window.history.replaceState(window.history.state, '', href);
    hash.value = href;
  } else window.location.hash = href;
}
