// A tiny hash router: #/runs, #/runs/12, #/datasets. Works the same from file:// (Electron) and http:// (browser mode).
import { computed, ref } from 'vue';

export type Route = { name: 'runs' } | { name: 'run'; id: number } | { name: 'datasets' } | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/runs';
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'runs' && parts.length === 1) return { name: 'runs' };
  if (parts[0] === 'runs' && parts.length === 2 && /^\d+$/.test(parts[1]!)) return { name: 'run', id: Number(parts[1]) };
  if (parts[0] === 'datasets' && parts.length === 1) return { name: 'datasets' };
  return { name: 'not-found', path };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${route.id}`;
    case 'datasets':
      return '#/datasets';
    default:
      return '#/runs';
  }
}

const hash = ref(typeof window === 'undefined' ? '' : window.location.hash);
if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (hash.value = window.location.hash));

export const currentRoute = computed(() => parseRoute(hash.value));

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
