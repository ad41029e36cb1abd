/**
 * A Host that records every call the session makes through it — on the host
 * and on each object the host hands out (containers, groups, device fds,
 * iommufds, IOAS, cdevs) — as "kind.method", while a real backend (the sim)
 * answers. Lets a test check the ORDER of kernel calls (teardown) against
 * the real model instead of a canned fake.
 */
import type { Host } from '@vfioscope/host';

const WRAPPED = new Map<string, string>([
  ['openContainer', 'container'],
  ['openGroup', 'group'],
  ['openDevice', 'device'],
  ['openIommufd', 'iommufd'],
  ['allocIoas', 'ioas'],
  ['openDeviceCdev', 'cdev'],
]);

function record<T extends object>(target: T, kind: string, calls: string[]): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(`${kind}.${prop}`);
        const out = (value as (...a: unknown[]) => unknown).apply(obj, args);
        const child = WRAPPED.get(prop);
        if (child && out instanceof Promise) return out.then((o: object) => record(o, child, calls));
        return out;
      };
    },
  });
}

export function recordCalls(host: Host): { host: Host; calls: string[] } {
  const calls: string[] = [];
  return { host: record(host, 'host', calls), calls };
}
