/**
 * The REST API as the operator, for setting up state the browser then shows
 * (opening groups, filling a container with mappings) faster than the UI could.
 * Uses Node's fetch; a non-2xx answer throws with the server's problem body.
 */
import type { CloseGroupResponse, MapResponse, OpenGroupResponse, TopologyResponse, UnmapResponse } from '@vfioscope/protocol';
import { OPERATOR_TOKEN } from './env.ts';

export interface MappingSpec {
  iova: bigint;
  size: bigint;
}

export class OperatorApi {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  topology(): Promise<TopologyResponse> {
    return this.call('GET', '/topology');
  }

  /** the Prometheus text of /metrics */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
    return res.text();
  }

  /** a viable group nobody holds whose devices are all bound to vfio-pci */
  async freeVfioGroup(): Promise<number> {
    const topo = await this.topology();
    const driver = new Map(topo.devices.map((d) => [d.bdf, d.driver]));
    const g = topo.groups.find(
      (g) => g.viable && g.owners.length === 0 && g.container === null && g.devices.every((b) => driver.get(b) === 'vfio-pci'),
    );
    if (!g) throw new Error('the scenario has no free vfio-pci group');
    return g.id;
  }

  /**
   * A vfio-pci group to open: a free one, else one only vfioscope holds, released first — the specs
   * before share this server and leave their groups open, so late in a run no group may be free.
   */
  async vfioGroupToOpen(): Promise<number> {
    const free = await this.freeVfioGroup().catch(() => null);
    if (free !== null) return free;
    const topo = await this.topology();
    const driver = new Map(topo.devices.map((d) => [d.bdf, d.driver]));
    const ours = topo.groups.find(
      (g) => g.viable && g.container !== null && g.owners.every((o) => o.self) && g.devices.every((b) => driver.get(b) === 'vfio-pci'),
    );
    if (!ours) throw new Error('the scenario has no vfio-pci group that is free or held only by vfioscope');
    await this.closeGroup(ours.id);
    return ours.id;
  }

  openGroup(group: number): Promise<OpenGroupResponse> {
    return this.call('POST', `/groups/${group}/open`, {});
  }

  closeGroup(group: number): Promise<CloseGroupResponse> {
    return this.call('POST', `/groups/${group}/close`);
  }

  map(container: number, m: MappingSpec): Promise<MapResponse> {
    return this.call('POST', `/containers/${container}/mappings`, {
      iova: `0x${m.iova.toString(16)}`,
      size: `0x${m.size.toString(16)}`,
      flags: ['read', 'write'],
    });
  }

  /** MAP_DMA every mapping, `inFlight` requests at a time (the server serialises them; concurrency hides the round trips) */
  async mapAll(container: number, mappings: readonly MappingSpec[], inFlight = 64): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < mappings.length) await this.map(container, mappings[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, mappings.length) }, worker));
  }

  unmapAll(container: number): Promise<UnmapResponse> {
    return this.call('DELETE', `/containers/${container}/mappings`, { all: true });
  }
}
