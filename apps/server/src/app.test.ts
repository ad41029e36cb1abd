import { describe, expect, it } from 'vitest';
import { makeFixture } from './test-support/app-fixture.ts';

describe('shutdown', () => {
  it('app.close releases everything vfioscope holds in the kernel, IRQs and mappings included', async () => {
    const f = await makeFixture('edu');
    const c = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    await f.req({ method: 'POST', url: '/api/v1/groups/4/open', payload: { container: c } });
    await f.req({ method: 'POST', url: `/api/v1/containers/${c}/mappings`, payload: { iova: '0x0', size: '0x1000', flags: ['read'] } });
    await f.req({ method: 'POST', url: '/api/v1/devices/0000:00:03.0/irqs/MSI', payload: { action: 'trigger' } });
    expect(
      (await f.host.owners())
        .filter((o) => o.self)
        .map((o) => o.group)
        .sort(),
    ).toEqual([3, 4]);
    await f.app.close();
    expect((await f.host.owners()).filter((o) => o.self)).toEqual([]);
    // the group can be had again by anyone: the kernel objects are gone, not leaked
    const g = await f.host.openGroup(3);
    await g.close();
    await f.host.close();
  });
});
