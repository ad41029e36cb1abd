import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VfioError } from '@vfioscope/host';
import { conforms, IrqAffinityResponse, type VectorRate } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

const EDU = '0000:00:03.0';
const KEY = `${EDU}/MSI/0`;
let f: Fixture;

const write = (region: number, offset: string, data: string) =>
  f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/regions/${region}/write`, payload: { offset, data } });
/** edu raises its MSI once per write of bit 0 to INTR_RAISE (BAR0 0x60) */
const raise = async (n: number) => {
  for (let i = 0; i < n; i++) await write(0, '0x60', '01000000');
};
const vectorRate = async (): Promise<VectorRate | undefined> =>
  ((await f.req({ method: 'GET', url: '/api/v1/irqs/top' })).json().rates as VectorRate[]).find((r) => r.key === KEY);
const setAffinity = (payload: object, as: 'operator' | 'viewer' = 'operator') =>
  f.req({ method: 'POST', url: '/api/v1/irqs/affinity', payload, as });

beforeEach(async () => {
  // the edu scenario has 2 CPUs, like the QEMU guest of the kernel bed
  f = await makeFixture('edu');
  await f.req({ method: 'POST', url: '/api/v1/groups/3/open' });
  expect((await f.req({ method: 'POST', url: `/api/v1/devices/${EDU}/irqs/msi`, payload: { action: 'trigger' } })).statusCode).toBe(200);
  // memory space + bus master: edu's MSI is a bus-master write (config region 7, command register)
  expect((await write(7, '0x4', '0600')).statusCode).toBe(200);
  await f.advance(500);
});
afterEach(async () => {
  await f.close();
});

describe('POST /irqs/affinity', () => {
  it('moves the vector: its per-CPU rates follow, the answer reads the kernel back, the action is audited', async () => {
    await raise(20);
    await f.advance(100);
    const before = (await vectorRate())!;
    expect(before).toMatchObject({ affinity: '0-1', effective: '0' });
    expect(before.irq).toBeGreaterThan(0);
    expect(before.cpus?.map(([cpu]) => cpu)).toEqual([0]);

    const r = await setAffinity({ key: KEY, cpus: [1] });
    expect(r.statusCode, r.body).toBe(200);
    expect(conforms(IrqAffinityResponse, r.json())).toBe(true);
    expect(r.json()).toEqual({ key: KEY, irq: before.irq, affinity: '1', effective: '1' });

    await raise(20);
    await f.advance(100);
    const after = (await vectorRate())!;
    expect(after).toMatchObject({ affinity: '1', effective: '1' });
    expect(after.cpus?.map(([cpu]) => cpu)).toEqual([1]);

    const moves = f.attempts().filter((a) => a.action === 'irq.affinity');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ role: 'operator', ok: true, pending: false, params: expect.anything() });
  });

  it('sends per-CPU rates only for a vector whose rate is above zero', async () => {
    await f.advance(1000);
    const idle = (await vectorRate())!;
    expect(idle.rate).toBe(0);
    expect(idle.cpus).toBeUndefined();
    expect(idle.effective).toBe('0');
  });

  it("passes the kernel's refusal on with its errno and the reason", async () => {
    const past = await setAffinity({ key: KEY, cpus: [2] });
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatchObject({ errno: 'ERANGE', field: 'cpus' });
    expect(past.json().error.message).toMatch(/past the host's last possible CPU/);
    expect(f.attempts().at(-1)).toMatchObject({ action: 'irq.affinity', ok: false, errno: 'ERANGE' });

    // not root: open() of the root-owned 0644 file fails with EACCES (the sim runs as root, so stand in for the kernel)
    vi.spyOn(f.host, 'setIrqAffinity').mockRejectedValueOnce(new VfioError('EACCES', 'smp_affinity_list', 'permission denied'));
    const denied = await setAffinity({ key: KEY, cpus: [0] });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.errno).toBe('EACCES');
    expect(denied.json().error.message).toMatch(/writable by root only/);

    vi.spyOn(f.host, 'setIrqAffinity').mockRejectedValueOnce(new VfioError('EIO', 'smp_affinity_list', 'Input/output error'));
    const managed = await setAffinity({ key: KEY, cpus: [0] });
    expect(managed.json().error.errno).toBe('EIO');
    expect(managed.json().error.message).toMatch(/does not let user space move IRQ/);
  });

  it('refuses what is not a live VFIO vector, a bad body, and the viewer, before the host', async () => {
    const spy = vi.spyOn(f.host, 'setIrqAffinity');
    const unknown = await setAffinity({ key: `${EDU}/MSIX/3`, cpus: [0] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ errno: 'ENOTFOUND', field: 'key' });
    for (const bad of [{ key: KEY, cpus: [] }, { key: KEY, cpus: [-1] }, { key: 'timer', cpus: [0] }, { key: KEY }]) {
      expect((await setAffinity(bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await setAffinity({ key: KEY, cpus: [1] }, 'viewer')).statusCode).toBe(403);
    expect(spy).not.toHaveBeenCalled();
  });
});
