/**
 * Hash routes, so every device and container has a URL that works from a
 * static file server: #/topology, #/device/0000:00:03.0, #/dma/1,
 * #/interrupts, #/events.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { view: 'topology' }
  | { view: 'device'; bdf: string }
  | { view: 'dma'; container: number | null }
  | { view: 'interrupts' }
  | { view: 'events' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'device':
      return parts[1] ? { view: 'device', bdf: parts[1] } : { view: 'topology' };
    case 'dma': {
      const id = parts[1] !== undefined && /^\d+$/.test(parts[1]) ? Number(parts[1]) : null;
      return { view: 'dma', container: id };
    }
    case 'interrupts':
      return { view: 'interrupts' };
    case 'events':
      return { view: 'events' };
    default:
      return { view: 'topology' };
  }
}

export function href(route: Route): string {
  switch (route.view) {
    case 'device':
      return `#/device/${route.bdf}`;
    case 'dma':
      return route.container === null ? '#/dma' : `#/dma/${route.container}`;
    default:
      return `#/${route.view}`;
  }
}

export const deviceHref = (bdf: string) => href({ view: 'device', bdf });
export const dmaHref = (container: number) => href({ view: 'dma', container });

function subscribe(fn: () => void) {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
