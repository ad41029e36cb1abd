/**
 * Hash routes, so every device and container has a URL that works from a
 * static file server: #/topology, #/device/0000:00:03.0, #/dma/1,
 * #/interrupts, #/events — this server's own host. A server that fronts a
 * fleet (serve --peers) shows any of its hosts the same way under
 * #/hosts/<name>/…, and the fleet itself at #/fleet.
 */
import { useSyncExternalStore } from 'react';

/** What is shown of one host. */
export type View =
  | { view: 'topology' }
  | { view: 'device'; bdf: string }
  | { view: 'dma'; container: number | null }
  | { view: 'interrupts' }
  | { view: 'events' };

export type Route =
  | { view: 'fleet' }
  /** `host`: a host of the fleet by name; null for this server's own */
  | (View & { host: string | null });

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'fleet') return { view: 'fleet' };
  if (parts[0] === 'hosts' && parts[1]) return { ...parseView(parts.slice(2)), host: parts[1] };
  return { ...parseView(parts), host: null };
}

function parseView(parts: string[]): View {
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
  if (route.view === 'fleet') return '#/fleet';
  const prefix = route.host === null ? '#/' : `#/hosts/${encodeURIComponent(route.host)}/`;
  switch (route.view) {
    case 'device':
      return `${prefix}device/${route.bdf}`;
    case 'dma':
      return route.container === null ? `${prefix}dma` : `${prefix}dma/${route.container}`;
    default:
      return `${prefix}${route.view}`;
  }
}

/** Links within one host: a host's views link to that host's devices and containers. */
export interface HostLinks {
  view(view: View): string;
  device(bdf: string): string;
  dma(container: number): string;
}

export function hostLinks(host: string | null): HostLinks {
  return {
    view: (v) => href({ ...v, host }),
    device: (bdf) => href({ view: 'device', bdf, host }),
    dma: (container) => href({ view: 'dma', container, host }),
  };
}

function subscribe(fn: () => void) {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
