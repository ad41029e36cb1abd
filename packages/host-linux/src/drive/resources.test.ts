import type { Teardown } from '@vfioscope/host';
import { describe, expect, it } from 'vitest';
import { type Owned, Resources } from './resources.ts';

describe('Resources: one teardown order for everything the backend holds', () => {
  function recorder(log: string[]) {
    const resources = new Resources();
    const owned = (name: string, stages: Parameters<Teardown<void>['add']>[0][]): Owned => {
      const o: Owned = {
        addTeardown: (t) => {
          for (const s of stages) t.add(s, `${s} ${name}`, () => void log.push(`${s} ${name}`));
        },
      };
      resources.add(o);
      return o;
    };
    return { resources, owned };
  }

  it("runs the objects' steps by the kernel's stages, newest first within one, and forgets released objects", () => {
    const log: string[] = [];
    const { resources, owned } = recorder(log);
    owned('iommufd', ['context']);
    owned('ioas', ['dma', 'context']);
    owned('container', ['dma', 'context']);
    owned('group 4', ['detach', 'group']);
    owned('edu (group)', ['irq', 'device']);
    owned('edu (cdev)', ['irq', 'device']);
    owned('eventfd', ['memory']);
    const buffer = owned('buffer', ['memory']);
    resources.delete(buffer);
    expect(resources.size).toBe(7);
    expect(resources.releaseAllSync()).toEqual([]);
    expect(log).toEqual([
      'irq edu (cdev)',
      'irq edu (group)',
      'dma container',
      'dma ioas',
      'device edu (cdev)',
      'device edu (group)',
      'detach group 4',
      'group group 4',
      'context container',
      'context ioas',
      'context iommufd',
      'memory eventfd',
    ]);
    expect(resources.size).toBe(0);
    expect(resources.releaseAllSync()).toEqual([]);
  });

  it('a failing step is reported by what it was, and the rest still run', () => {
    const log: string[] = [];
    const { resources, owned } = recorder(log);
    owned('group 4', ['group']);
    resources.add({
      addTeardown: (t) =>
        t.add('device', 'close edu', () => {
          throw new Error('EIO');
        }),
    });
    const failures = resources.releaseAllSync();
    expect(failures.map((f) => [f.what, (f.error as Error).message])).toEqual([['close edu', 'EIO']]);
    expect(log).toEqual(['group group 4']);
  });
});
