/**
 * The application frame: host bar, navigation, storm banner and the routed
 * view, all of one host — this server's, or the fleet host the route names
 * (#/hosts/<name>/…), each through its own client.
 */
import { lazy, Suspense, useEffect } from 'react';
import { parseRoute, type Route, useHash } from './router.ts';
import { useSession } from './session.tsx';
import { usePresentation } from './presentation.ts';
import { useMediaQuery } from './useMediaQuery.ts';
import { useConnection, useOffline } from '../live/hooks.ts';
import { HostBar } from '../views/shell/HostBar.tsx';
import { Nav } from '../views/shell/Nav.tsx';
import { StormBanner } from '../views/shell/StormBanner.tsx';
import { LoginScreen } from '../views/shell/LoginScreen.tsx';
import { OfflineNotice } from '../views/shell/OfflineNotice.tsx';
import { TopologyView } from '../views/topology/TopologyView.tsx';
import { Toaster } from '../components/Toaster.tsx';
import { FleetProvider, useFleet } from '../fleet/FleetProvider.tsx';
import { HostClientProvider } from '../host/HostClientProvider.tsx';
import { HostDownNotice } from '../views/shell/HostDownNotice.tsx';
import { dropEarlyStream } from '../host/early-stream.ts';
import { ReplayBar } from '../replay/ReplayBar.tsx';

// Topology, the first view, is in the entry chunk; every other view is a chunk of its own (and recharts,
// which only they draw with, one more: vite.config.ts), fetched when first shown.
const viewChunks = {
  device: () => import('../views/device/DeviceView.tsx'),
  dma: () => import('../views/dma/DmaView.tsx'),
  interrupts: () => import('../views/interrupts/InterruptsView.tsx'),
  events: () => import('../views/events/EventsView.tsx'),
  fleet: () => import('../views/fleet/FleetView.tsx'),
};
const DeviceView = lazy(() => viewChunks.device().then((m) => ({ default: m.DeviceView })));
const DmaView = lazy(() => viewChunks.dma().then((m) => ({ default: m.DmaView })));
const InterruptsView = lazy(() => viewChunks.interrupts().then((m) => ({ default: m.InterruptsView })));
const EventsView = lazy(() => viewChunks.events().then((m) => ({ default: m.EventsView })));
const FleetView = lazy(() => viewChunks.fleet().then((m) => ({ default: m.FleetView })));

// A deep link's view starts loading with the page, beside the session and fleet requests rather than after
// them; a failure here is the lazy view's to report when it renders.
const linked = parseRoute(window.location.hash);
if (linked.view !== 'topology') viewChunks[linked.view]().catch(() => undefined);

// A page older than the server's bundle asks for chunks the new build no longer has: load the new page (the
// route is in the hash), at most once a minute so that a chunk missing from the new build too cannot loop.
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(sessionStorage.getItem('vfioscope-chunk-reload') ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem('vfioscope-chunk-reload', String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

const viewLoading = <div className="skeleton">loading the view…</div>;

export function App() {
  return (
    <>
      <Frame />
      {/* outside the frame: a result survives the view (and a sign-out) that produced it */}
      <Toaster />
    </>
  );
}

function Frame() {
  const session = useSession();
  const route = parseRoute(useHash());
  const signedOut = session.state.status === 'signed-out';
  useEffect(() => {
    if (signedOut) dropEarlyStream();
  }, [signedOut]);
  if (session.state.status === 'loading') return <div className="skeleton">connecting to vfioscope…</div>;
  if (session.state.status === 'signed-out')
    return <LoginScreen reason={session.state.reason} error={session.state.error} onSignIn={session.signIn} />;
  return (
    <FleetProvider>
      <HostFrame route={route} />
    </FleetProvider>
  );
}

/** Which host the route shows, once the server has said which hosts it has (and which one is itself). */
function HostFrame({ route }: { route: Route }) {
  const fleet = useFleet();
  const named = route.view === 'fleet' ? null : route.host;
  if (named !== null && fleet.hosts === null) return <div className="skeleton">finding host {named}…</div>;
  if (named !== null && !fleet.hosts?.some((h) => h.name === named))
    return (
      <div className="skeleton" data-testid="unknown-host">
        This server shows no host named “{named}”. <a href="#/fleet">Show the fleet</a>
      </div>
    );
  // this server's own name in a route is this server: its own client, no detour through the fleet routes
  const host = named === null || named === fleet.self ? null : named;
  return (
    <HostClientProvider host={host}>
      {/* keyed by host: another host's views start afresh (a search typed for one host means nothing on the next) */}
      <Shell key={host ?? ''} route={route} shown={host ?? fleet.self} />
    </HostClientProvider>
  );
}

function Shell({ route, shown }: { route: Route; shown: string | null }) {
  const fleet = useFleet();
  const { replay } = useSession();
  const connection = useConnection();
  const stream = useOffline();
  const presenting = usePresentation();
  // a narrow screen, or a zoomed-in projector, keeps the nav rail's icons only
  const narrow = useMediaQuery('(max-width: 1180px)') || presenting;
  // a peer the server cannot reach: what is shown is its last known state
  const summary = route.view === 'fleet' ? undefined : fleet.hosts?.find((h) => h.name === shown);
  const hostDown = summary?.state === 'down' ? summary : null;
  const offline = stream.offline || hostDown !== null;
  // `offline`, `presenting` and `narrow` are classes on the root so any panel's CSS can follow them
  // (a storm banner greyed while its data is old; secondary panels hidden on a projector)
  const cls = ['app', offline ? 'offline' : '', presenting ? 'presenting' : '', narrow ? 'narrow' : ''].filter(Boolean).join(' ');
  return (
    <div
      className={cls}
      data-testid="app"
      data-view={route.view}
      data-host={shown ?? ''}
      data-offline={offline}
      data-presentation={presenting}
    >
      <HostBar route={route} shown={shown} />
      <Nav route={route} />
      {/* dimmed while the stream (or the host behind it) is down: what is shown is no longer live */}
      <main className={`app-main ${connection.state === 'open' && hostDown === null ? '' : 'stale'}`}>
        {replay ? <ReplayBar initial={replay} /> : null}
        {stream.offline && stream.asOf !== null ? <OfflineNotice asOf={stream.asOf} /> : null}
        {hostDown ? <HostDownNotice host={hostDown} /> : null}
        {route.view === 'fleet' ? (
          <Suspense fallback={viewLoading}>
            <FleetView />
          </Suspense>
        ) : (
          <StormBanner />
        )}
        <Suspense fallback={viewLoading}>
          {route.view === 'topology' ? <TopologyView /> : null}
          {route.view === 'device' ? <DeviceView key={route.bdf} bdf={route.bdf} /> : null}
          {route.view === 'dma' ? <DmaView key={route.container ?? 'none'} container={route.container} /> : null}
          {route.view === 'interrupts' ? <InterruptsView /> : null}
          {route.view === 'events' ? <EventsView /> : null}
        </Suspense>
      </main>
    </div>
  );
}
