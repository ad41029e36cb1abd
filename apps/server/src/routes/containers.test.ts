import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conforms, MappingsResponse, MapResponse, UnmapResponse } from '@vfioscope/protocol';
import { loadScenario } from '@vfioscope/host-sim';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture;
let container: number;
beforeEach(async () => {
  f = await makeFixture('edu');
  container = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
});
afterEach(async () => {
  await f.close();
});

const url = () => `/api/v1/containers/${container}/mappings`;
const map = (payload: object, as: 'operator' | 'viewer' | 'none' = 'operator') => f.req({ method: 'POST', url: url(), payload, as });

describe('DMA mappings', () => {
  it('maps memory vfioscope allocates, lists it paged, and unmaps it', async () => {
    const a = await map({ iova: '0x100000', size: '0x2000', flags: ['read', 'write'] });
    expect(a.statusCode).toBe(200);
    expect(conforms(MapResponse, a.json())).toBe(true);
    expect(a.json().mapping).toMatchObject({ iova: '0x100000', size: '0x2000', read: true, write: true, pages: 2 });
    expect(a.json().mapping.vaddr).toMatch(/^0x[0-9a-f]+$/);
    await map({ iova: '1048576000', size: '4096', flags: ['read'] }); // decimal strings are fine too
    await map({ iova: '0x200000', size: '0x1000', flags: ['write'] });

    const page = await f.req({ method: 'GET', url: `${url()}?offset=1&limit=1`, as: 'viewer' });
    expect(conforms(MappingsResponse, page.json())).toBe(true);
    expect(page.json()).toMatchObject({ container, total: 3, offset: 1, limit: 1 });
    expect(page.json().rows.map((r: { iova: string }) => r.iova)).toEqual(['0x200000']);
    const bySize = await f.req({ method: 'GET', url: `${url()}?sort=size`, as: 'viewer' });
    expect(bySize.json().rows).toHaveLength(3);

    const cs = (await f.req({ method: 'GET', url: '/api/v1/containers' })).json().containers;
    expect(cs[0]).toMatchObject({ mappingCount: 3, pinnedBytes: 4 * 4096 });
    // dma_avail as the kernel reports it now, not as it was when the container was opened
    const limit = (await f.app.vfio.ctx.host.hostInfo()).modules.dmaEntryLimit!;
    expect(cs[0].iommu.dmaAvail).toBe(limit - 3);

    const u = await f.req({ method: 'DELETE', url: url(), payload: { iova: '0x100000', size: '0x2000' } });
    expect(u.statusCode).toBe(200);
    expect(conforms(UnmapResponse, u.json())).toBe(true);
    expect(u.json()).toEqual({ container, unmappedBytes: '0x2000', removed: 1 });
    const all = await f.req({ method: 'DELETE', url: url(), payload: { all: true } });
    expect(all.json()).toEqual({ container, unmappedBytes: '0x2000', removed: 2 });
    expect((await f.req({ method: 'GET', url: url() })).json().total).toBe(0);
    expect((await f.req({ method: 'GET', url: '/api/v1/containers' })).json().containers[0].iommu.dmaAvail).toBe(limit);
  });

  it("an overlapping map is the kernel's EEXIST (409)", async () => {
    await map({ iova: '0x100000', size: '0x2000', flags: ['read'] });
    const r = await map({ iova: '0x101000', size: '0x1000', flags: ['read'] });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.errno).toBe('EEXIST');
    expect(r.json().error.message).toContain('VFIO_IOMMU_MAP_DMA');
    // and the way out: the next free range of the same size
    expect(r.json().error.hint).toEqual({ kind: 'free-iova', iova: '0x102000' });
    expect(r.json().error.message).toContain('the next free 4 KiB starts at 0x102000');
    const audit = f.attempts().filter((x) => x.action === 'dma.map');
    expect(audit.at(-1)).toMatchObject({
      ok: false,
      errno: 'EEXIST',
      status: 409,
      params: { id: String(container), iova: '0x101000', size: '0x1000' },
    });
    const errors = (await f.req({ method: 'GET', url: '/api/v1/events?kinds=error' })).json().events;
    expect(errors.at(-1)).toMatchObject({ kind: 'error', op: 'mapDma', errno: 'EEXIST', actor: 'op (operator)' });
  });

  it('mapping past RLIMIT_MEMLOCK is ENOMEM (507)', async () => {
    const r = await map({ iova: '0x10000000', size: '0x2000000', flags: ['read'] }); // 32 MiB > 16 MiB limit
    expect(r.statusCode).toBe(507);
    expect(r.json().error.errno).toBe('ENOMEM');
    await map({ iova: '0x100000', size: '0x400000', flags: ['read'] }); // 4 MiB locked
    const again = (await map({ iova: '0x10000000', size: '0xe00000', flags: ['read'] })).json().error; // 14 MiB more
    expect(again.hint).toEqual({
      kind: 'memlock',
      limitBytes: 16 * 1024 * 1024,
      lockedBytes: 4 * 1024 * 1024,
      neededBytes: 14 * 1024 * 1024,
    });
    expect(again.message).toContain("4 MiB of vfioscope's 16 MiB RLIMIT_MEMLOCK are locked, 12 MiB left; this map needs 14 MiB");
    expect(again.message).toContain('ulimit -l');
  });

  it('an unmap that would split a mapping is EINVAL, naming the mapping', async () => {
    await map({ iova: '0x100000', size: '0x4000', flags: ['read'] });
    const r = await f.req({ method: 'DELETE', url: url(), payload: { iova: '0x101000', size: '0x1000' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ errno: 'EINVAL', hint: { kind: 'split', mappings: [{ iova: '0x100000', size: '0x4000' }] } });
    expect(r.json().error.message).toContain('would split the mapping 0x100000+0x4000');
  });

  it("on an IOAS the same split is iommufd's ENOENT, and the advice names the mapping too", async () => {
    await f.close();
    f = await makeFixture('edu-6.12', { iommu: 'iommufd' });
    container = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    await map({ iova: '0x100000', size: '0x4000', flags: ['read'] });
    const r = await f.req({ method: 'DELETE', url: url(), payload: { iova: '0x101000', size: '0x1000' } });
    expect(r.json().error).toMatchObject({ errno: 'ENOENT', hint: { kind: 'split', mappings: [{ iova: '0x100000', size: '0x4000' }] } });
    expect(r.json().error.message).toContain('would split the mapping 0x100000+0x4000');
  });

  it('running out of DMA entries (dma_entry_limit) is ENOSPC (507)', async () => {
    await f.close();
    const scenario = loadScenario('edu');
    scenario.dmaEntryLimit = 2;
    f = await makeFixture(scenario);
    container = (await f.req({ method: 'POST', url: '/api/v1/groups/3/open' })).json().container;
    expect((await map({ iova: '0x10000', size: '0x1000', flags: ['read'] })).statusCode).toBe(200);
    expect((await map({ iova: '0x20000', size: '0x1000', flags: ['read'] })).statusCode).toBe(200);
    const r = await map({ iova: '0x30000', size: '0x1000', flags: ['read'] });
    expect(r.statusCode).toBe(507);
    expect(r.json().error.errno).toBe('ENOSPC');
  });

  it('refuses bad ranges before the kernel sees them, and nothing changes', async () => {
    const mapDma = vi.spyOn(f.app.vfio.ctx.session, 'mapDma');
    const cases: [object, number, string, string][] = [
      [{ iova: '0x100001', size: '0x1000', flags: ['read'] }, 400, 'EINVAL', 'iova'],
      [{ iova: '0x100000', size: '0x1001', flags: ['read'] }, 400, 'EINVAL', 'size'],
      [{ iova: '0x100000', size: '0x0', flags: ['read'] }, 400, 'EINVAL', 'size'],
      [{ iova: '0xfffffffffffff000', size: '0x2000', flags: ['read'] }, 400, 'EINVAL', 'size'], // as type1 answers a wrap
      [{ iova: '0xfee00000', size: '0x1000', flags: ['read'] }, 400, 'EINVAL', 'iova'], // the x86 MSI window
      [{ iova: '18446744073709551616', size: '0x1000', flags: ['read'] }, 400, 'EVALIDATION', 'iova'],
      [{ iova: 4096, size: '0x1000', flags: ['read'] }, 400, 'EVALIDATION', 'iova'],
      [{ iova: '4k', size: '0x1000', flags: ['read'] }, 400, 'EVALIDATION', 'iova'],
      [{ iova: '0x1000', size: '0x1000', flags: [] }, 400, 'EVALIDATION', 'flags'],
      [{ iova: '0x1000', size: '0x1000', flags: ['exec'] }, 400, 'EVALIDATION', 'flags.0'],
      [{ iova: '0x1000', size: '0x1000', flags: ['read', 'read'] }, 400, 'EVALIDATION', 'flags'],
      [{ iova: '0x1000', size: '0x1000' }, 400, 'EVALIDATION', 'flags'],
      [{ iova: '0x1000', size: '0x1000', flags: ['read'], vaddr: '0x1' }, 400, 'EVALIDATION', 'vaddr'],
    ];
    for (const [payload, status, errno, field] of cases) {
      const r = await map(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(status);
      expect(r.json().error, JSON.stringify(payload)).toMatchObject({ errno, field });
      expect(r.json().error.message, JSON.stringify(payload)).toContain(field.split('.')[0]);
    }
    const unknown = await f.req({
      method: 'POST',
      url: '/api/v1/containers/77/mappings',
      payload: { iova: '0x0', size: '0x1000', flags: ['read'] },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ errno: 'ENOTFOUND', field: 'id' });
    const badJson = await f.app.inject({
      method: 'POST',
      url: url(),
      payload: '{"iova":',
      headers: { authorization: 'Bearer operator-token-for-tests', 'content-type': 'application/json' },
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.errno).toBe('EVALIDATION');
    expect(mapDma).not.toHaveBeenCalled();
    expect((await f.req({ method: 'GET', url: url() })).json().total).toBe(0);
    // every refusal is an audited attempt
    expect(f.attempts().filter((a) => a.action === 'dma.map')).toHaveLength(cases.length + 2);
  });

  it('unmap validates its range the same way, and needs a body', async () => {
    const unmap = vi.spyOn(f.app.vfio.ctx.session, 'unmapDma');
    const cases: [object | undefined, string, string][] = [
      [{ iova: '0x1001', size: '0x1000' }, 'EINVAL', 'iova'],
      [{ iova: '0xfffffffffffff000', size: '0x2000' }, 'EINVAL', 'size'],
      [{ iova: '0x1000', size: '0x1000', all: true }, 'EVALIDATION', 'body'],
      [{ all: false }, 'EVALIDATION', 'body'],
      [undefined, 'EVALIDATION', 'body'],
    ];
    for (const [payload, errno, field] of cases) {
      const r = await f.req({ method: 'DELETE', url: url(), ...(payload ? { payload } : {}) });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.errno, JSON.stringify(payload)).toBe(errno);
      if (errno === 'EINVAL') expect(r.json().error.field).toBe(field);
    }
    expect(unmap).not.toHaveBeenCalled();
  });

  it('viewers can list but not map', async () => {
    expect((await f.req({ method: 'GET', url: url(), as: 'viewer' })).statusCode).toBe(200);
    const r = await map({ iova: '0x100000', size: '0x1000', flags: ['read'] }, 'viewer');
    expect(r.statusCode).toBe(403);
    expect(r.json().error.errno).toBe('EFORBIDDEN');
  });

  it('paging parameters are checked', async () => {
    for (const q of ['limit=0', 'limit=5000', 'offset=-1', 'sort=vaddr', 'limit=abc']) {
      const r = await f.req({ method: 'GET', url: `${url()}?${q}` });
      expect(r.statusCode, q).toBe(400);
      expect(r.json().error.errno, q).toBe('EVALIDATION');
    }
  });
});
