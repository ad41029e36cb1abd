import { describe, expect, it } from 'vitest';
import { Teardown, TEARDOWN_STAGES } from './teardown.ts';

describe('Teardown', () => {
  it("runs steps by the kernel's stage order whatever order they came in, last registered first within a stage", async () => {
    const t = new Teardown();
    const ran: string[] = [];
    const step = (name: string) => async () => {
      ran.push(name);
    };
    t.add('context', 'close container', step('close container'));
    t.add('group', 'close group 3', step('close group 3'));
    t.add('irq', 'INTx off', step('INTx off'));
    t.add('device', 'close edu', step('close edu'));
    t.add('dma', 'unmap all', step('unmap all'));
    t.add('detach', 'unset group 3', step('unset group 3'));
    t.add('group', 'close group 4', step('close group 4'));
    t.add('memory', 'free buffer', step('free buffer'));
    expect(await t.release()).toEqual([]);
    expect(ran).toEqual([
      'INTx off',
      'unmap all',
      'close edu',
      'unset group 3',
      'close group 4',
      'close group 3',
      'close container',
      'free buffer',
    ]);
    expect(t.size).toBe(0);
    expect(TEARDOWN_STAGES[0]).toBe('irq');
  });

  it('keeps going past a failure and reports every one, synchronously too', () => {
    const t = new Teardown<void>();
    const ran: string[] = [];
    t.add('device', 'close a', () => {
      throw new Error('EBADF');
    });
    t.add('context', 'close c', () => {
      ran.push('c');
    });
    const failures = t.releaseSync();
    expect(failures.map((f) => [f.what, (f.error as Error).message])).toEqual([['close a', 'EBADF']]);
    expect(ran).toEqual(['c']);
  });
});
