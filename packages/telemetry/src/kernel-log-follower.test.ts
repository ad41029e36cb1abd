import type { GroupOwner, Host, KernelLogRead, Topology } from '@vfioscope/host';
import { parseKmsgRecord } from '@vfioscope/host';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { FAULT_STORM_COUNT, FAULT_STORM_WINDOW_MS, MEMLOCK_HOLD_MS } from './kernel-alerts.ts';
import { KernelLogFollower } from './kernel-log-follower.ts';

/** a host whose kernel log is a list of /dev/kmsg records, read like devkmsg_read */
function kmsgHost(raw: string[], unavailable?: { errno: string; reason: string }) {
  const records = raw.map((r) => {
    const p = parseKmsgRecord(r);
    if (!p) throw new Error(`bad record ${r}`);
    return p;
  });
  const host = {
    kernelLog: async (afterSeq: number): Promise<KernelLogRead> => {
      if (unavailable) return { ok: false, ...unavailable };
      const out = records.filter((r) => r.seq > afterSeq);
      return { ok: true, records: out, nextSeq: out.at(-1)?.seq ?? afterSeq, lost: 0 };
    },
  } as unknown as Host;
  return { host, push: (r: string) => records.push(parseKmsgRecord(r) ?? (undefined as never)) };
}

const EDU = '0000:00:04.0';
const topology = { groups: [], devices: [{ bdf: EDU, iommuGroup: 4 }] } as unknown as Topology;
const owners = [{ group: 4, via: 'group', pid: 777, comm: 'qemu-system-x86' }] as unknown as GroupOwner[];
const fault = (seq: number, page: string) =>
  `3,${seq},1000,-;DMAR: [DMA Write NO_PASID] Request device [00:04.0] fault addr ${page} [fault reason 0x05] PTE Write access is not set`;

describe('KernelLogFollower', () => {
  it('skips the ring’s history, then logs new messages as kernel events attached to device, group and owner', async () => {
    const { host, push } = kmsgHost([fault(1, '0x100000'), '6,2,1000,-;boot noise']);
    const log = new EventLog(null);
    const f = new KernelLogFollower(host, log);
    await f.poll(0, topology, owners);
    expect(log.query({ kinds: ['kernel'] })).toEqual([]);
    push(fault(3, '0x101000'));
    push('6,4,1000,-;nothing to parse');
    await f.poll(100, topology, owners);
    const events = log.query({ kinds: ['kernel'] });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'kernel',
      op: 'iommu-fault',
      device: EDU,
      group: 4,
      message: fault(3, '0x101000').split(';')[1],
      data: { direction: 'write', address: '0x101000', reasonCode: 5, pid: 777, seq: 3 },
    });
    expect(f.countsByDevice()).toEqual([{ bdf: EDU, kind: 'iommu-fault', n: 1 }]);
  });

  it('keeps a line user space wrote to /dev/kmsg (facility LOG_USER) as an info event, and no kernel line unparsed', async () => {
    const { host, push } = kmsgHost(['13,1,1000,-;demo: before following']);
    const log = new EventLog(null);
    const f = new KernelLogFollower(host, log);
    await f.poll(0, topology, owners);
    push('13,2,2000,-;demo: the GPU storms');
    push('6,3,2000,-;kernel noise nobody parses');
    push('30,4,2000,-;systemd[1]: a daemon line');
    await f.poll(100, topology, owners);
    const events = log.query({});
    expect(events.map((e) => [e.kind, e.message])).toEqual([['info', 'demo: the GPU storms']]);
    expect(events[0]).toMatchObject({ op: 'kmsg', data: { seq: 2, priority: 13, tsUsec: 2000 } });
  });

  it(`raises one fault-storm alert at ${FAULT_STORM_COUNT} faults from a device within the window`, async () => {
    const { host, push } = kmsgHost([]);
    const log = new EventLog(null);
    const f = new KernelLogFollower(host, log);
    await f.poll(0, topology, owners);
    for (let i = 1; i <= FAULT_STORM_COUNT + 5; i++) {
      push(fault(i, `0x${(0x100000 + i * 0x1000).toString(16)}`));
      await f.poll(i * 100, topology, owners);
      expect(log.query({ kinds: ['alert'] })).toHaveLength(i < FAULT_STORM_COUNT ? 0 : 1);
    }
    expect(log.query({ kinds: ['alert'] })[0]).toMatchObject({ op: 'iommu-fault-storm', device: EDU, group: 4 });
    const last = (FAULT_STORM_COUNT + 5) * 100;
    expect(f.alerts.list()).toMatchObject([{ bdf: EDU, count: FAULT_STORM_COUNT + 5, clearedAt: null, owner: { pid: 777 } }]);
    expect(f.faults.rates(last)).toEqual([{ bdf: EDU, perMinute: FAULT_STORM_COUNT + 5, total: FAULT_STORM_COUNT + 5 }]);
    // quiet for a window: the storm is over
    await f.poll(last + FAULT_STORM_WINDOW_MS, topology, owners);
    f.alerts.settle(last + FAULT_STORM_WINDOW_MS, []);
    expect(f.alerts.list()).toMatchObject([{ bdf: EDU, clearedAt: last + FAULT_STORM_WINDOW_MS }]);
    expect(log.query({ kinds: ['alert-cleared'] })).toMatchObject([{ op: 'iommu-fault-storm', device: EDU }]);
  });

  it('alerts on a memlock refusal and on a disabled IRQ, saying what to do', async () => {
    const { host, push } = kmsgHost([]);
    const log = new EventLog(null);
    const f = new KernelLogFollower(host, log);
    await f.poll(0, null, []);
    push('4,1,1000,-;vfio_pin_pages_remote: RLIMIT_MEMLOCK (16777216) exceeded');
    push('0,2,1000,-;Disabling IRQ #16');
    await f.poll(1, null, []);
    const alerts = log.query({ kinds: ['alert'] });
    expect(alerts.map((a) => a.op)).toEqual(['memlock-exceeded', 'irq-disabled']);
    expect(alerts[0]?.message).toContain('16777216');
    expect(alerts[0]?.message).toContain('LimitMEMLOCK');
    expect(alerts[1]?.message).toContain('IRQ 16');
    // both stay alerts until their condition ends: the memlock one a hold after its refusal
    expect(f.alerts.list().map((a) => [a.reason, a.clearedAt])).toEqual([
      ['memlock-exceeded', null],
      ['irq-disabled', null],
    ]);
    f.alerts.settle(1 + MEMLOCK_HOLD_MS, []);
    expect(f.alerts.list().map((a) => [a.reason, a.clearedAt])).toEqual([
      ['irq-disabled', null],
      ['memlock-exceeded', 1 + MEMLOCK_HOLD_MS],
    ]);
  });

  it('says once, with the errno, why the kernel log cannot be read', async () => {
    const reason = 'open /dev/kmsg: EPERM: reading the kernel log needs CAP_SYSLOG or sysctl kernel.dmesg_restrict=0';
    const { host } = kmsgHost([], { errno: 'EPERM', reason });
    const log = new EventLog(null);
    const f = new KernelLogFollower(host, log);
    await f.poll(0, null, []);
    await f.poll(1, null, []);
    expect(log.query({ kinds: ['info'] })).toMatchObject([{ errno: 'EPERM', message: `kernel messages unavailable: ${reason}` }]);
    expect(f.unavailableReason).toBe(reason);
  });
});
