/**
 * The device topic carries the reset section live: a viewer watching the
 * default host's second GPU sees its hot-reset dependencies once vfioscope
 * holds it, and the verification of a reset another operator did — the GPU
 * that does not come back from its second reset (the open was its first) —
 * without asking again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeltaData, SnapshotData } from '@vfioscope/protocol';
import { makeFixture, VIEWER, type Fixture } from '../test-support/app-fixture.ts';
import { connectStream } from '../test-support/ws-client.ts';

const GPU = '0000:98:00.0';
const AUDIO = '0000:98:00.1';
const TOPIC = `device:${GPU}`;

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

type ResetSeen = NonNullable<DeltaData<'device'>['reset']>;
const resetIn = (m: { type: string; topic?: string; data?: unknown }, ok: (r: ResetSeen) => boolean) =>
  m.type === 'delta' &&
  m.topic === TOPIC &&
  (m.data as DeltaData<'device'>).reset !== undefined &&
  ok((m.data as DeltaData<'device'>).reset!);

describe('stream: the device topic’s reset section', () => {
  it('follows the hold and a reset done elsewhere, sending the section only when it changed', async () => {
    f = await makeFixture('default');
    const fx = f;
    const s = await connectStream(fx.app, VIEWER);
    s.send({ type: 'subscribe', topics: [TOPIC] });
    const snap = (await s.waitFor((m) => m.type === 'snapshot' && m.topic === TOPIC)) as { data: SnapshotData<'device'> };
    expect(snap.data.reset).toEqual({ methods: ['flr'], vfioReset: null, hotReset: null, last: null });

    expect((await fx.req({ method: 'POST', url: `/api/v1/devices/${AUDIO}/bind`, payload: { driver: 'vfio-pci' } })).statusCode).toBe(200);
    const group = (await fx.host.topology()).devices.find((d) => d.bdf === GPU)!.iommuGroup!;
    expect((await fx.req({ method: 'POST', url: `/api/v1/groups/${group}/open` })).statusCode).toBe(200);
    await fx.advance(200);
    const held = (await s.waitFor((m) => resetIn(m, (r) => r.vfioReset === true))) as { data: DeltaData<'device'> };
    expect(held.data.reset).toMatchObject({
      hotReset: { devices: [{ bdf: GPU }, { bdf: AUDIO }], error: null },
      last: null,
    });

    // quiet ticks resend nothing
    const mark = s.messages.length;
    await fx.advance(300);
    await s.waitFor((m) => m.type === 'delta' && m.topic === TOPIC, mark);
    expect(s.of(TOPIC, 'delta').filter((m) => s.messages.indexOf(m) >= mark && (m.data as DeltaData<'device'>).reset)).toEqual([]);

    const r = await fx.req({ method: 'POST', url: `/api/v1/devices/${GPU}/reset` });
    expect(r.json().verification).toMatchObject({ cameBack: false });
    await fx.advance(200);
    const after = (await s.waitFor((m) => resetIn(m, (x) => x.last !== null))) as { data: DeltaData<'device'> };
    expect(after.data.reset?.last).toEqual(r.json().verification);
    expect(s.invalid).toEqual([]);
    s.close();
  });
});
