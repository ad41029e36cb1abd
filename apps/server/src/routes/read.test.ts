import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  conforms,
  ContainersResponse,
  ErrorBody,
  HealthResponse,
  HostResponse,
  TopologyResponse,
  WhoamiResponse,
} from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../test-support/app-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture('edu');
});
afterEach(async () => {
  await f.close();
});

describe('read routes', () => {
  it('health needs no token', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/health', as: 'none' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(conforms(HealthResponse, body)).toBe(true);
    expect(body).toMatchObject({ status: 'ok', protocolVersion: 1, backend: 'sim', scenario: 'edu', tickHz: 10 });
  });

  it('everything else needs a token: 401 EAUTH without one or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope-nope-nope' }, { authorization: 'Basic abc' }]) {
      const r = await f.app.inject({ method: 'GET', url: '/api/v1/topology', headers });
      expect(r.statusCode).toBe(401);
      expect(conforms(ErrorBody, r.json())).toBe(true);
      expect(r.json().error).toMatchObject({ errno: 'EAUTH', field: 'authorization' });
    }
  });

  it('accepts the token as ?token= and as the login cookie', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/api/v1/whoami?token=viewer-token-for-tests' })).statusCode).toBe(200);
    const r = await f.app.inject({
      method: 'GET',
      url: '/api/v1/whoami',
      headers: { cookie: 'x=1; vfioscope_token=viewer-token-for-tests' },
    });
    expect(r.statusCode).toBe(200);
  });

  it('whoami names the role and token id, never the token', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/whoami', as: 'viewer' });
    expect(conforms(WhoamiResponse, r.json())).toBe(true);
    expect(r.json()).toEqual({ role: 'viewer', tokenId: 'view', protocolVersion: 1 });
  });

  it('host reports kernel, IOMMU, module parameters and limits', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/host', as: 'viewer' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(conforms(HostResponse, body)).toBe(true);
    expect(body.info.iommu.present).toBe(true);
    expect(body.info.modules.dmaEntryLimit).toBe(65535);
    expect(body.info.memlockLimit).toBe(16 * 1024 * 1024);
  });

  it('topology lists groups with viability, blockers and devices', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/topology', as: 'viewer' });
    const body = r.json();
    expect(conforms(TopologyResponse, body)).toBe(true);
    const g3 = body.groups.find((g: { id: number }) => g.id === 3);
    expect(g3).toMatchObject({ viable: true, container: null, owners: [] });
    const g5 = body.groups.find((g: { id: number }) => g.id === 5);
    expect(g5.viable).toBe(false);
    expect(g5.blockers).toEqual([{ bdf: '0000:01:02.0', driver: 'e1000' }]);
    expect(body.devices.find((d: { bdf: string }) => d.bdf === '0000:00:03.0')).toMatchObject({
      vendorId: 0x1234,
      deviceId: 0x11e8,
      driver: 'vfio-pci',
    });
  });

  it('containers is empty until a group is opened', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/containers', as: 'viewer' });
    expect(conforms(ContainersResponse, r.json())).toBe(true);
    expect(r.json()).toEqual({ containers: [] });
  });

  it('unknown API routes answer 404 ENOTFOUND as JSON', async () => {
    const r = await f.req({ method: 'GET', url: '/api/v1/nothing' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.errno).toBe('ENOTFOUND');
  });

  it('serves a stub page at / when the UI is not built, and sets the login cookie from ?token=', async () => {
    const r = await f.app.inject({ method: 'GET', url: '/?token=operator-token-for-tests' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain('web UI is not built');
    expect(String(r.headers['set-cookie'])).toMatch(/^vfioscope_token=operator-token-for-tests; Path=\/; HttpOnly; SameSite=Strict/);
    const anon = await f.app.inject({ method: 'GET', url: '/?token=wrong-token-xx' });
    expect(anon.headers['set-cookie']).toBeUndefined();
  });
});
