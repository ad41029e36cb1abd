import { describe, expect, it } from 'vitest';
import { matchInnerRoute, splitHostUrl } from './inner-route.ts';

const inner = (method: string, url: string) => {
  const s = splitHostUrl(url);
  return s && matchInnerRoute(method, s.segments);
};

describe('the route a per-host URL stands for', () => {
  it('splits host, decoded segments and query', () => {
    const s = splitHostUrl('/api/v1/hosts/gpu-07/events?limit=5&token=abc');
    expect(s?.host).toBe('gpu-07');
    expect(s?.segments).toEqual(['events']);
    expect(s?.query.get('limit')).toBe('5');
    expect(splitHostUrl('/api/v1/hosts')).toBeNull();
    expect(splitHostUrl('/api/v1/hosts/a/%E0%A4%A')).toBeNull();
  });

  it('finds the table route, its role and its canonical path whatever the spelling', () => {
    for (const url of [
      '/api/v1/hosts/a/devices/0000:00:03.0/reset',
      '/api/v1/hosts/a/devices/0000%3A00%3A03.0/reset',
      '/api/v1/hosts/a//devices//0000:00:03.0/%72eset',
      '/api/v1/hosts/a/devices/0000:00:03.0/reset/',
    ]) {
      const r = inner('POST', url);
      expect(r?.name).toBe('deviceReset');
      expect(r?.spec.role).toBe('operator');
      expect(r?.path).toBe('/api/v1/devices/0000%3A00%3A03.0/reset');
    }
    expect(inner('GET', '/api/v1/hosts/a/topology')).toMatchObject({ name: 'topology', path: '/api/v1/topology' });
    expect(inner('GET', '/api/v1/hosts/a/containers/4/mappings')).toMatchObject({ name: 'mappings', params: { id: '4' } });
    expect(inner('DELETE', '/api/v1/hosts/a/containers/4/mappings')?.spec.action).toBe('dma.unmap');
  });

  it('a segment that decodes to a slash stays one parameter: what is authorized is what is forwarded', () => {
    const r = inner('GET', '/api/v1/hosts/a/devices/x%2Freset');
    expect(r?.name).toBe('device');
    expect(r?.path).toBe('/api/v1/devices/x%2Freset');
  });

  it('has nothing for unknown paths, wrong methods, the stream and the hosts routes themselves', () => {
    expect(inner('GET', '/api/v1/hosts/a/nothing')).toBeNull();
    expect(inner('GET', '/api/v1/hosts/a/groups/3/open')).toBeNull();
    expect(inner('GET', '/api/v1/hosts/a/stream')).toBeNull();
    expect(inner('GET', '/api/v1/hosts/a/hosts')).toBeNull();
    expect(inner('GET', '/api/v1/hosts/a/hosts/b/topology')).toBeNull();
  });
});
