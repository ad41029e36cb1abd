import { describe, expect, it } from 'vitest';
import { formatCpuList, parseCpuList } from './cpu-list.ts';

describe('CPU lists', () => {
  it('reads the kernel spelling, ranges and single CPUs', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('\n')).toEqual([]);
  });

  it('refuses what is not a list', () => {
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('ff')).toBeNull();
    expect(parseCpuList('1,,2')).toBeNull();
  });

  it('writes runs as ranges, in order, once each', () => {
    expect(formatCpuList([3, 1, 2, 8, 2])).toBe('1-3,8');
    expect(formatCpuList([0])).toBe('0');
    expect(formatCpuList([4, 5])).toBe('4-5');
    expect(parseCpuList(formatCpuList([0, 2, 3, 4, 7]))).toEqual([0, 2, 3, 4, 7]);
  });

  it('writes a sorted list as an unsorted or repeating one of the same CPUs', () => {
    const all = [...Array(128).keys()];
    expect(formatCpuList(all)).toBe('0-127');
    expect(formatCpuList([...all].reverse())).toBe('0-127');
    expect(formatCpuList([1, 2, 2, 3, 9, 10])).toBe('1-3,9-10');
    expect(formatCpuList([0, 2, 4, 5, 6, 127])).toBe('0,2,4-6,127');
    expect(formatCpuList([])).toBe('');
  });
});
