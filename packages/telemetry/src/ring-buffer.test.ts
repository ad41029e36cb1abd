import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.ts';

describe('RingBuffer', () => {
  it('keeps the newest samples when it wraps, oldest first', () => {
    const r = new RingBuffer(3);
    expect(r.toArray()).toEqual([]);
    expect(r.latest()).toBeUndefined();
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    r.push(3);
    r.push(4);
    r.push(5);
    expect(r.length).toBe(3);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.at(0)).toBe(3);
    expect(r.at(3)).toBeUndefined();
    expect(r.latest()).toBe(5);
    expect(r.last(2)).toEqual([4, 5]);
    expect(r.last(10)).toEqual([3, 4, 5]);
  });

  it('wraps many times without drift', () => {
    const r = new RingBuffer(600, 'f32');
    for (let i = 0; i < 10_000; i++) r.push(i);
    const a = r.toArray();
    expect(a).toHaveLength(600);
    expect(a[0]).toBe(9400);
    expect(a[599]).toBe(9999);
  });

  it('stores float32 when asked (history rates) and clears', () => {
    const r = new RingBuffer(2, 'f32');
    r.push(0.1);
    expect(r.latest()).toBeCloseTo(0.1, 6);
    expect(r.latest()).not.toBe(0.1);
    r.clear();
    expect(r.length).toBe(0);
  });

  it('refuses a non-positive capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
