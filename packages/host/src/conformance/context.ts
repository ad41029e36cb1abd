/**
 * What every area of the suite is given: the target (created once per suite
 * run) and the current case's Scope (fresh for each case, released after it).
 */
import type { ConformanceTarget, SharedGroupRef } from './target.ts';
import type { Scope } from './scope.ts';

export interface SuiteContext {
  target(): ConformanceTarget;
  scope(): Scope;
}

/** The bed must offer a shared, non-viable group: a case that needs it fails (never skips) without it. */
export function requireSharedGroup(t: ConformanceTarget): SharedGroupRef {
  if (!t.sharedGroup) {
    throw new Error(`target ${t.name} provides no shared non-viable group; the conformance bed must include one`);
  }
  return t.sharedGroup;
}

export function requireHostDriverDevice(t: ConformanceTarget): { bdf: string; driver: string } {
  if (!t.hostDriverDevice) {
    throw new Error(`target ${t.name} provides no device on a host driver; the conformance bed must include one`);
  }
  return t.hostDriverDevice;
}

export function requireMemlockLimit(t: ConformanceTarget): number {
  if (t.memlockLimit === null) {
    throw new Error(`target ${t.name} runs with an unlimited RLIMIT_MEMLOCK; the conformance bed must set a finite one`);
  }
  return t.memlockLimit;
}

/** The first two edu devices; the bed guarantees at least two. */
export function eduPair(t: ConformanceTarget) {
  const [a, b] = t.edu;
  if (!a || !b) throw new Error(`target ${t.name} provides ${t.edu.length} edu device(s); the suite needs 2`);
  return [a, b] as const;
}
