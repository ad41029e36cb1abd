import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostClient } from './host-client.ts';

/** a client whose store records what it was asked: subscriptions held, and start/stop */
function fakeClient(host: string | null) {
  const held = new Set<string>();
  const calls: string[] = [];
  const store = {
    start: () => calls.push('start'),
    stop: () => calls.push('stop'),
    subscribe: (topic: string) => {
      held.add(topic);
      return () => held.delete(topic);
    },
  };
  return { host, store, held, calls } as unknown as HostClient & { held: Set<string>; calls: string[] };
}

const made: ReturnType<typeof fakeClient>[] = [];
vi.mock('./host-client.ts', () => ({
  createHostClient: (host: string | null) => {
    const c = fakeClient(host);
    made.push(c);
    return c;
  },
}));
// hooks.ts's models are only passed through to the store here
vi.mock('../live/hooks.ts', () => ({
  models: { host: {}, alerts: {}, topology: {}, device: {}, rates: {}, events: {} },
}));

const load = async () => await import('./early-stream.ts');

beforeEach(() => {
  vi.resetModules();
  made.length = 0;
});
afterEach(() => vi.resetModules());

describe('the early stream', () => {
  it("opens this server's stream with the linked view's topics before any view", async () => {
    const early = await load();
    early.openEarlyStream({ view: 'device', bdf: '0000:65:00.0', host: null });
    expect(made).toHaveLength(1);
    const c = made[0]!;
    expect(c.calls).toEqual(['start']);
    expect([...c.held].sort()).toEqual(['alerts', 'device:0000:65:00.0', 'host', 'topology']);
    expect(early.earlyClient(null)).toBe(c);
    expect(early.earlyClient('rack-a')).toBeNull();
  });

  it("opens nothing for the fleet or a fleet host's route (those need GET /hosts first)", async () => {
    const early = await load();
    early.openEarlyStream({ view: 'fleet' });
    early.openEarlyStream({ view: 'topology', host: 'rack-a' });
    expect(made).toHaveLength(0);
    expect(early.earlyClient(null)).toBeNull();
  });

  it('is adopted once by the provider, which then owns it: the early hold is released, no second start', async () => {
    const early = await load();
    early.openEarlyStream({ view: 'topology', host: null });
    const c = made[0]!;
    expect(early.adoptEarly(c)).toBe(true);
    expect(c.held.size).toBe(0);
    expect(c.calls).toEqual(['start']);
    // a second provider mount of the same client (React's strict mode) must start it itself
    expect(early.adoptEarly(c)).toBe(false);
    // once the provider stopped it, a later provider makes its own client
    early.forgetEarly(c);
    expect(early.earlyClient(null)).toBeNull();
  });

  it('is stopped when the session ends signed out, and never adopted after', async () => {
    const early = await load();
    early.openEarlyStream({ view: 'interrupts', host: null });
    const c = made[0]!;
    expect([...c.held].sort()).toEqual(['alerts', 'host', 'irq-rates']);
    early.dropEarlyStream();
    expect(c.calls).toEqual(['start', 'stop']);
    expect(c.held.size).toBe(0);
    expect(early.earlyClient(null)).toBeNull();
    expect(early.adoptEarly(c)).toBe(false);
  });

  it('leaves an adopted client to its provider when the session ends', async () => {
    const early = await load();
    early.openEarlyStream({ view: 'events', host: null });
    const c = made[0]!;
    early.adoptEarly(c);
    early.dropEarlyStream();
    expect(c.calls).toEqual(['start']);
  });
});
