/**
 * What every area of the suite is given: the target (created once per suite
 * run) and the current case's Scope (fresh for each case, released after it).
 */
import { describe, expect, it, type TestFunction } from 'vitest';
import type { DmaSpace } from './dma-space.ts';
import { COMPAT_DMA_AVAIL, MODE_ANSWERS, type ConformanceMode, type ModeAnswers } from './modes.ts';
import type { Scope } from './scope.ts';
import type { ConformanceTarget, SharedGroupRef } from './target.ts';

export interface SuiteContext {
  /** the IOMMU mode this run of the suite drives (fixed when the suite is defined) */
  readonly mode: ConformanceMode;
  /** the kernel's answers in that mode */
  readonly answers: ModeAnswers;
  target(): ConformanceTarget;
  scope(): Scope;
  /** cases a mode cannot express, with why: listed by the suite, never dropped silently */
  readonly notExpressible: { name: string; why: string }[];
}

export function suiteContext(mode: ConformanceMode, target: () => ConformanceTarget, scope: () => Scope): SuiteContext {
  return { mode, answers: MODE_ANSWERS[mode], target, scope, notExpressible: [] };
}

/**
 * A case that only some modes can express (e.g. container ordering rules, with no container under
 * iommufd): registered in those modes, named with the reason in the others.
 */
export function caseIn(
  ctx: SuiteContext,
  modes: readonly ConformanceMode[],
  why: string,
  name: string,
  fn: TestFunction,
  options?: { timeout?: number },
): void {
  if (modes.includes(ctx.mode)) it(name, options ?? {}, fn);
  else ctx.notExpressible.push({ name, why });
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

/** The mappings the context counts: type1's DMA_AVAIL down by `n`, compat's a constant, none on an IOAS. */
export async function expectEntriesUsed(ctx: SuiteContext, dma: DmaSpace, n: number): Promise<void> {
  const avail = await dma.entriesAvail();
  const { entries } = ctx.answers;
  if (entries === 'dma_entry_limit') expect(avail, 'DMA_AVAIL').toBe(ctx.target().dmaEntryLimit - n);
  else expect(avail, 'DMA_AVAIL').toBe(entries === 'constant' ? COMPAT_DMA_AVAIL : null);
}

/**
 * A block of cases only some modes can express: a describe block there; elsewhere its cases are
 * only collected as not expressible (an empty describe block would fail the run).
 */
export function describeIn(ctx: SuiteContext, modes: readonly ConformanceMode[], name: string, fn: () => void): void {
  if (modes.includes(ctx.mode)) describe(name, fn);
  else fn();
}
