/**
 * Concrete requests for every route of the protocol's route table, on the
 * sim's edu scenario: a valid URL per route (its :params filled in) and a
 * valid body per action, so tests can sweep the whole table — auth on every
 * route, hostile bodies on every action — without a list that can fall
 * behind the table.
 */
import { routes, type RouteName, type RouteSpec } from '@vfioscope/protocol';

export const EDU = '0000:00:03.0';

export interface Samples {
  group: string;
  bdf: string;
  /** region or IRQ index */
  index: string;
  /** a container vfioscope holds */
  id: string;
  /** a recording's file name (default: one that need not exist) */
  name?: string;
}

export const SAMPLE_RECORDING = '19700101T001640Z-sample.vfr';

export function concretePath(spec: RouteSpec, s: Samples): string {
  return spec.path.replace(/:([a-z]+)/g, (_, name: string) => {
    const v = ({ name: SAMPLE_RECORDING, ...s } as Record<string, string>)[name];
    if (v === undefined) throw new Error(`no sample for :${name} in ${spec.path}`);
    return encodeURIComponent(v);
  });
}

/** A body each action accepts on the edu scenario (group 3 open, edu's BAR0 4 KiB at region 0). */
const ACTION_BODIES: Partial<Record<RouteName, object>> = {
  deviceIrq: { action: 'trigger', start: 0, count: 1 },
  regionRead: { offset: '0x0', size: 4 },
  regionWrite: { offset: '0x4', data: '01000000' },
  deviceBind: { driver: 'vfio-pci' },
  map: { iova: '0x100000', size: '0x1000', flags: ['read'] },
  unmap: { all: true },
  deviceHotReset: { affected: ['0000:00:03.0'] },
  irqAffinity: { key: '0000:00:03.0/MSI/0', cpus: [1] },
};

export interface SampleRequest {
  name: RouteName;
  spec: RouteSpec;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  payload?: object;
}

/** Every HTTP route (the stream's upgrade aside), with a request that is valid for it. */
export function sampleRequests(s: Samples): SampleRequest[] {
  return (Object.entries(routes) as [RouteName, RouteSpec][])
    .filter(([, spec]) => !spec.websocket)
    .map(([name, spec]) => {
      let url = concretePath(spec, s);
      if (name === 'irqHistory') url += '?key=x';
      // a report needs an alert or a range: the first minute of the epoch is a valid (empty) one
      if (name === 'report') url += '?from=0&to=60000';
      const payload = ACTION_BODIES[name];
      return { name, spec, method: spec.method, url, ...(payload ? { payload } : {}) };
    });
}

/** The same path with each letter of its first segment percent-encoded in turn ("/%61pi/v1/…"), and other spellings. */
export function respellings(url: string): string[] {
  const [path, query] = url.split('?') as [string, string | undefined];
  const q = query === undefined ? '' : `?${query}`;
  const out = new Set<string>();
  const segs = path.split('/');
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i] ?? '';
    const letter = /[a-z]/i.exec(seg);
    if (!letter) continue;
    const c = letter[0];
    const enc = `%${c.charCodeAt(0).toString(16)}`;
    out.add([...segs.slice(0, i), seg.replace(c, enc), ...segs.slice(i + 1)].join('/') + q);
    out.add([...segs.slice(0, i), seg.replace(c, enc.toUpperCase()), ...segs.slice(i + 1)].join('/') + q);
  }
  out.add(path.replace(/\//g, '//') + q);
  out.add(`${path}/${q}`);
  out.add(path.replace(/v1/, 'v%31') + q);
  out.delete(url);
  return [...out];
}
