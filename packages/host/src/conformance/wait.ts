/**
 * Bounded waits. A real device (QEMU's edu under TCG) and the kernel's IRQ
 * path are asynchronous: register writes take effect, DMA completes and
 * eventfds are signalled some time later. Cases poll with a deadline instead
 * of assuming instant effect; the sim satisfies the same waits immediately.
 */
import type { EventFd } from '../drive.ts';

/** the longest a case waits for a device or the kernel to act */
export const SETTLE_TIMEOUT_MS = 2000;
/** how long a case watches for something that must NOT happen */
export const QUIET_PERIOD_MS = 200;
const POLL_MS = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll `probe` until `done(value)` or the deadline; returns the last value either way. */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = SETTLE_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(POLL_MS);
  }
}

/**
 * Drain an eventfd until its accumulated count reaches `atLeast` or the
 * deadline passes, then keep draining for a short quiet period so a count
 * that overshoots is seen too. Returns the total count.
 */
export async function collectEvents(efd: EventFd, atLeast: number, timeoutMs = SETTLE_TIMEOUT_MS): Promise<number> {
  let total = 0;
  await pollUntil(
    async () => (total += await efd.drain()),
    (n) => n >= atLeast,
    timeoutMs,
  );
  await sleep(QUIET_PERIOD_MS / 4);
  total += await efd.drain();
  return total;
}

/** The total count an eventfd receives while watched for `ms` (expected 0 by callers checking masking). */
export async function countDuring(efd: EventFd, ms = QUIET_PERIOD_MS): Promise<number> {
  let total = 0;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    total += await efd.drain();
    await sleep(POLL_MS);
  }
  return total + (await efd.drain());
}
