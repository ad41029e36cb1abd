/**
 * Shared by the kernel's unit tests: a sim host on the edu scenario with a
 * manual clock, and a helper that returns the errno a call fails with.
 */
import { VfioError } from '@vfioscope/host';
import { ManualClock } from './clock.ts';
import { createSimHost } from '../index.ts';

export function eduHost(scenario = 'edu') {
  const clock = new ManualClock(1000);
  const host = createSimHost({ scenario, clock, pid: 4242 });
  return { host, clock };
}

export async function errnoOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VfioError) return e.errno;
    throw e;
  }
  return 'ok';
}

/** a little-endian u32 for edu register writes */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}
