import { describe, expect, it } from 'vitest';
import * as libc from './libc.ts';

const FIONREAD = 0x541b;
const TCGETS = 0x5401;

describe('the libc seam through ffi-rs', () => {
  it("ioctl with a pointer: the kernel writes into the caller's array, at a subarray's offset too", () => {
    const [r, w] = libc.pipe();
    try {
      expect(libc.write(w, new TextEncoder().encode('twelve bytes'))).toBe(12);
      const whole = new Uint8Array(4).fill(0xff);
      expect(libc.ioctlPtr(r, FIONREAD, whole, 'FIONREAD')).toBe(0);
      expect(new DataView(whole.buffer).getInt32(0, true)).toBe(12);
      const big = new Uint8Array(16).fill(0xee);
      libc.ioctlPtr(r, FIONREAD, big.subarray(8, 12), 'FIONREAD');
      expect(Array.from(big)).toEqual([...new Array(8).fill(0xee), 12, 0, 0, 0, 0xee, 0xee, 0xee, 0xee]);
    } finally {
      libc.close(r);
      libc.close(w);
    }
  });

  it('a failing ioctl throws VfioError with the errno name and the ioctl as op', () => {
    const fd = libc.openFile('/dev/null', libc.O_RDWR | libc.O_CLOEXEC);
    try {
      expect(() => libc.ioctlPtr(fd, TCGETS, new Uint8Array(64), 'TCGETS')).toThrow(
        expect.objectContaining({ name: 'VfioError', errno: 'ENOTTY', op: 'TCGETS' }),
      );
    } finally {
      libc.close(fd);
    }
    expect(() => libc.openFile('/nonexistent/vfio', libc.O_RDWR)).toThrow(expect.objectContaining({ errno: 'ENOENT', op: 'open' }));
    expect(() => libc.close(987654)).toThrow(expect.objectContaining({ errno: 'EBADF', op: 'close' }));
  });

  it("ioctl with a pointer on the event loop: back to back, each call's errno is its own; a struct over a page goes as an array", () => {
    const [r, w] = libc.pipe();
    const fd = libc.openFile('/dev/null', libc.O_RDWR | libc.O_CLOEXEC);
    try {
      libc.write(w, new TextEncoder().encode('seven!!'));
      for (let i = 0; i < 3; i++) {
        expect(() => libc.ioctlPtr(fd, TCGETS, new Uint8Array(64), 'TCGETS')).toThrow(expect.objectContaining({ errno: 'ENOTTY' }));
        expect(() => libc.ioctlPtr(987654, FIONREAD, new Uint8Array(4), 'FIONREAD')).toThrow(expect.objectContaining({ errno: 'EBADF' }));
        const count = new Uint8Array(4);
        expect(libc.ioctlPtr(r, FIONREAD, count, 'FIONREAD')).toBe(0);
        expect(new DataView(count.buffer).getInt32(0, true)).toBe(7);
      }
      const big = new Uint8Array(4097).fill(0xee);
      expect(libc.ioctlPtr(r, FIONREAD, big, 'FIONREAD')).toBe(0);
      expect(Array.from(big.subarray(0, 6))).toEqual([7, 0, 0, 0, 0xee, 0xee]);
      expect(() => libc.ioctlPtr(fd, TCGETS, new Uint8Array(4097), 'TCGETS')).toThrow(expect.objectContaining({ errno: 'ENOTTY' }));
    } finally {
      libc.close(fd);
      libc.close(r);
      libc.close(w);
    }
  });

  it('pread/pwrite at an offset, mmap and a zero-copy view of the mapping', () => {
    const addr = libc.mmap(8192n, libc.PROT_READ | libc.PROT_WRITE, libc.MAP_PRIVATE | libc.MAP_ANONYMOUS, -1, 0n);
    expect(addr % 4096n).toBe(0n);
    const view = libc.viewMemory(addr, 8192);
    view.set([1, 2, 3], 4096);
    // read the mapping back through /proc/self/mem at its address
    const mem = libc.openFile('/proc/self/mem', libc.O_RDWR | libc.O_CLOEXEC);
    try {
      const got = new Uint8Array(3);
      expect(libc.pread(mem, got, addr + 4096n)).toBe(3);
      expect(Array.from(got)).toEqual([1, 2, 3]);
      expect(libc.pwrite(mem, Uint8Array.of(9), addr)).toBe(1);
      expect(view[0]).toBe(9);
    } finally {
      libc.close(mem);
    }
    libc.munmap(addr, 8192n);
  });

  it('a blocking ioctl runs off the event loop: the result and what the kernel wrote come back, errno names the failure, calls keep their order', async () => {
    const [r, w] = libc.pipe();
    const fd = libc.openFile('/dev/null', libc.O_RDWR | libc.O_CLOEXEC);
    try {
      libc.write(w, new TextEncoder().encode('five!'));
      const out = new Uint8Array(4);
      expect(await libc.ioctlPtrBlocking(r, FIONREAD, out, 'FIONREAD')).toBe(0);
      expect(new DataView(out.buffer).getInt32(0, true)).toBe(5);
      await expect(libc.ioctlPtrBlocking(fd, TCGETS, new Uint8Array(64), 'TCGETS')).rejects.toMatchObject({
        errno: 'ENOTTY',
        op: 'TCGETS',
      });
      // issued without waiting: they finish in the order they were issued, a failure in between included
      const done: string[] = [];
      const counts = [new Uint8Array(4), new Uint8Array(4)];
      const a = libc.ioctlPtrBlocking(r, FIONREAD, counts[0]!, 'FIONREAD').then(() => done.push('a'));
      const b = libc.ioctlPtrBlocking(fd, TCGETS, new Uint8Array(64), 'TCGETS').catch(() => done.push('b'));
      const c = libc.ioctlIntBlocking(r, FIONREAD, 0, 'FIONREAD').catch(() => done.push('c'));
      const d = libc.ioctlPtrBlocking(r, FIONREAD, counts[1]!, 'FIONREAD').then(() => done.push('d'));
      await Promise.all([a, b, c, d]);
      expect(done).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      libc.close(fd);
      libc.close(r);
      libc.close(w);
    }
  });
  it('a short ioctl runs at once when the lane is idle, behind the lane when not: result, what the kernel wrote and errno as a plain call', async () => {
    const [r, w] = libc.pipe();
    const fd = libc.openFile('/dev/null', libc.O_RDWR | libc.O_CLOEXEC);
    try {
      libc.write(w, new TextEncoder().encode('seven!!'));
      const out = new Uint8Array(4);
      expect(await libc.ioctlPtrShort(r, FIONREAD, out, 'FIONREAD')).toBe(0);
      expect(new DataView(out.buffer).getInt32(0, true)).toBe(7);
      // failures and successes in turn: each failure with its own errno
      for (let i = 0; i < 3; i++) {
        await expect(libc.ioctlPtrShort(fd, TCGETS, new Uint8Array(64), 'TCGETS')).rejects.toMatchObject({ errno: 'ENOTTY', op: 'TCGETS' });
        await expect(libc.ioctlPtrShort(987654, FIONREAD, new Uint8Array(4), 'FIONREAD')).rejects.toMatchObject({ errno: 'EBADF' });
        expect(await libc.ioctlPtrShort(r, FIONREAD, out, 'FIONREAD')).toBe(0);
      }
      // issued while a blocking call is in the lane: it keeps its place after it
      const done: string[] = [];
      const a = libc.ioctlPtrBlocking(r, FIONREAD, new Uint8Array(4), 'FIONREAD').then(() => done.push('blocking'));
      const b = libc.ioctlPtrShort(r, FIONREAD, new Uint8Array(4), 'FIONREAD').then(() => done.push('short'));
      await Promise.all([a, b]);
      expect(done).toEqual(['blocking', 'short']);
    } finally {
      libc.close(fd);
      libc.close(r);
      libc.close(w);
    }
  });
});
