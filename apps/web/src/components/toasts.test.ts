import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/rest.ts';
import { TOAST_TTL_MS, toast, toastStore } from './toasts.ts';

describe('toasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    toastStore.clear();
    vi.useRealTimers();
  });

  it('ok and info fade after the TTL, errors stay until dismissed', () => {
    toast.ok('Group 25 released', '8 mappings unmapped');
    toast.info('note');
    toast.error(new ApiError(409, 'EBUSY', 'group is held by pid 7001'), 'Open group 25');
    expect(toastStore.snapshot().map((t) => t.tone)).toEqual(['ok', 'info', 'error']);
    vi.advanceTimersByTime(TOAST_TTL_MS + 1);
    const left = toastStore.snapshot();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ tone: 'error', errno: 'EBUSY', message: 'Open group 25: group is held by pid 7001' });
    toastStore.dismiss(left[0]!.id);
    expect(toastStore.snapshot()).toHaveLength(0);
  });

  it('keeps the list bounded, dropping old successes before errors', () => {
    toast.error(new ApiError(400, 'EINVAL', 'bad'));
    for (let i = 0; i < 10; i++) toast.ok(`ok ${i}`);
    const list = toastStore.snapshot();
    expect(list).toHaveLength(5);
    expect(list[0]!.tone).toBe('error');
    expect(list.at(-1)!.message).toBe('ok 9');
  });

  it('notifies subscribers and keeps the snapshot identity until a change', () => {
    const fn = vi.fn();
    const off = toastStore.subscribe(fn);
    const before = toastStore.snapshot();
    expect(toastStore.snapshot()).toBe(before);
    toast.ok('x');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(toastStore.snapshot()).not.toBe(before);
    off();
  });
});
