/**
 * Assertions on the kernel's answer: the suite checks the errno name of every
 * failure exactly, like the kernel selftests' ASSERT_EQ(rc, -EINVAL).
 */
import { expect } from 'vitest';
import type { ErrnoName } from '@vfioscope/uapi';
import { VfioError } from '../errors.ts';

/** Await `promise`, expect it to reject with a VfioError carrying `errno`; return that error. */
export async function expectErrno(promise: Promise<unknown>, errno: ErrnoName): Promise<VfioError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await promise };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) {
    throw new Error(`expected ${errno}, but the call succeeded with ${String(outcome.value)}`);
  }
  const { error } = outcome;
  if (!(error instanceof VfioError)) {
    throw new Error(`expected VfioError ${errno}, got ${String(error)}`, { cause: error });
  }
  expect(error.errno, error.message).toBe(errno);
  return error;
}

/** The answer a mode gives: 'ok' (resolves to its value) or an errno (rejects with it). */
export async function expectAnswer<T>(promise: Promise<T>, answer: ErrnoName | 'ok'): Promise<T | undefined> {
  if (answer !== 'ok') {
    await expectErrno(promise, answer);
    return undefined;
  }
  return promise;
}
