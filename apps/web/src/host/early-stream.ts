/**
 * The first view's stream, opened while the page still asks who is signed
 * in. Without it the chain to first data is serial: GET /whoami → the shell
 * renders → the view subscribes → the socket's handshake → the snapshots →
 * render (bench/baselines/first-view.txt traced it). Here the socket opens
 * and the linked view's topics are subscribed at module load, beside
 * /whoami, so the snapshots are usually in the store when the view first
 * renders and it shows data in that first render.
 *
 * Only for this server's own host (a fleet host's route needs GET /hosts
 * first). The early subscriptions hold their topics only until the views
 * have subscribed themselves; a session that ends signed out drops the
 * client (its socket would only be refused again).
 */
import { deviceTopic, type Topic } from '@vfioscope/protocol';
import type { Route } from '../app/router.ts';
import { models } from '../live/hooks.ts';
import type { TopicModel } from '../live/live-store.ts';
import { createHostClient, type HostClient } from './host-client.ts';

interface Early {
  client: HostClient;
  /** the early subscriptions, released once the views hold their own */
  release: (() => void)[];
  /** a provider runs it now (started it, stops it) */
  adopted: boolean;
}

let early: Early | null = null;

// biome-ignore lint/suspicious/noExplicitAny: a list of topics with models of different kinds
type Wanted = [Topic, TopicModel<any, unknown>];

/** What the linked view and the shell around it read first (a hint: a topic missed here is subscribed by its view). */
function firstTopics(route: Route): Wanted[] {
  if (route.view === 'fleet') return [];
  const shell: Wanted[] = [
    ['host', models.host],
    ['alerts', models.alerts],
  ];
  switch (route.view) {
    case 'topology':
      return [...shell, ['topology', models.topology]];
    case 'device':
      return [...shell, ['topology', models.topology], [deviceTopic(route.bdf), models.device]];
    case 'interrupts':
      return [...shell, ['irq-rates', models.rates]];
    case 'events':
      return [...shell, ['events', models.events]];
    default:
      return shell;
  }
}

/** Opens this server's stream for the route's first view, if the route shows this server's own host. */
export function openEarlyStream(route: Route): void {
  if (early !== null || route.view === 'fleet' || route.host !== null) return;
  const client = createHostClient(null);
  client.store.start();
  const release = firstTopics(route).map(([topic, model]) => client.store.subscribe(topic, model, () => {}));
  early = { client, release, adopted: false };
}

/** The early client for this server's own host, or null: the provider uses it instead of making its own. */
export function earlyClient(host: string | null): HostClient | null {
  return host === null ? (early?.client ?? null) : null;
}

/**
 * A provider starts this client: true when it was the early one still running (already started — the
 * views have subscribed by now, so the early hold on their topics is released).
 */
export function adoptEarly(client: HostClient): boolean {
  if (early === null || early.client !== client || early.adopted) return false;
  early.adopted = true;
  for (const release of early.release.splice(0)) release();
  return true;
}

/** The provider stopped the client: a later provider makes its own. */
export function forgetEarly(client: HostClient): void {
  if (early?.client === client) early = null;
}

/** Signed out: the early socket would only be refused; a later sign-in opens the stream the usual way. */
export function dropEarlyStream(): void {
  if (early === null || early.adopted) return;
  for (const release of early.release.splice(0)) release();
  early.client.store.stop();
  early = null;
}
