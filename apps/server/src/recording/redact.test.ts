import { describe, expect, it } from 'vitest';
import { REDACTED_HOST, Redactor } from './redact.ts';

describe('Redactor', () => {
  it('takes out host names, command lines and actors, and renumbers PIDs the same way everywhere', () => {
    const r = new Redactor(['gpu-07.lab']);
    const owner = JSON.parse(
      r.redactText(
        JSON.stringify({
          info: { hostname: 'gpu-07.lab', kernel: '6.12' },
          owner: {
            pid: 4242,
            comm: 'qemu-system-x86',
            cmdline: '/usr/bin/qemu -name win11 -drive file=/home/alice/win.qcow2',
            vm: 'win11',
          },
          stats: [
            { scope: 'process', id: 4242, pid: 4242 },
            { scope: 'container', id: 3 },
          ],
          events: [{ actor: 'alice', text: 'vfio-pci 0000:65:00.0: qemu-system-x86[4242] on gpu-07.lab, pid 777, pid=4242' }],
        }),
      ),
    );
    expect(owner.info).toEqual({ hostname: REDACTED_HOST, kernel: '6.12' });
    expect(owner.owner).toEqual({ pid: 1000, comm: 'qemu-system-x86', cmdline: '(redacted)', vm: 'win11' });
    // a process row names its process by PID in "id"; a container's id is not a PID
    expect(owner.stats).toEqual([
      { scope: 'process', id: 1000, pid: 1000 },
      { scope: 'container', id: 3 },
    ]);
    expect(owner.events[0].actor).toBe('operator-1');
    expect(owner.events[0].text).toBe(`vfio-pci 0000:65:00.0: qemu-system-x86[1000] on ${REDACTED_HOST}, pid 1001, pid=1000`);
    // the same PID later in the recording gets the same number
    expect(JSON.parse(r.redactText('{"pid":777}'))).toEqual({ pid: 1001 });
    expect(JSON.stringify(owner)).not.toMatch(/4242|alice|gpu-07/);
  });
});
