/**
 * Everything the views need to show and act on one host: its REST routes,
 * its live store (one stream socket of its own) and the links between its
 * views. This server's own host is `host: null`; a host of the fleet it
 * fronts (serve --peers) is reached through this server under its name —
 * the peer's token never reaches the browser.
 */
import type { ApiClient } from '@vfioscope/protocol';
import { createRestClient } from '../api/rest.ts';
import { LiveStore } from '../live/live-store.ts';
import { hostWireCodec, wireCodec } from '../live/wire-codec.ts';
import { type HostLinks, hostLinks } from '../app/router.ts';

export interface HostClient {
  /** the fleet host's name; null for this server's own host */
  readonly host: string | null;
  readonly api: ApiClient;
  readonly store: LiveStore;
  readonly links: HostLinks;
}

export function createHostClient(host: string | null): HostClient {
  return {
    host,
    api: host === null ? createRestClient() : createRestClient(host),
    store: new LiveStore(host === null ? wireCodec : hostWireCodec(host)),
    links: hostLinks(host),
  };
}
