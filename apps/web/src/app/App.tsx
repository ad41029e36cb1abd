/**
 * The application frame: host bar, navigation, storm banner and the routed
 * view, all of one host — this server's, or the fleet host the route names
 * (#/hosts/<name>/…), each through its own client.
 */
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
import { DeviceView } from '../views/device/DeviceView.tsx';
import { DmaView } from '../views/dma/DmaView.tsx';
import { InterruptsView } from '../views/interrupts/InterruptsView.tsx';
import { EventsView } from '../views/events/EventsView.tsx';
import { Toaster } from '../components/Toaster.tsx';
import { FleetProvider, useFleet } from '../fleet/FleetProvider.tsx';
import { HostClientProvider } from '../host/HostClientProvider.tsx';
import { FleetView } from '../views/fleet/FleetView.tsx';
import { HostDownNotice } from '../views/shell/HostDownNotice.tsx';

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
        {stream.offline && stream.asOf !== null ? <OfflineNotice asOf={stream.asOf} /> : null}
        {hostDown ? <HostDownNotice host={hostDown} /> : null}
        {route.view === 'fleet' ? <FleetView /> : <StormBanner />}
        {route.view === 'topology' ? <TopologyView /> : null}
        {route.view === 'device' ? <DeviceView key={route.bdf} bdf={route.bdf} /> : null}
        {route.view === 'dma' ? <DmaView key={route.container ?? 'none'} container={route.container} /> : null}
        {route.view === 'interrupts' ? <InterruptsView /> : null}
        {route.view === 'events' ? <EventsView /> : null}
      </main>
    </div>
  );
}
