/** The application frame: host bar, navigation, storm banner and the routed view. */
import { parseRoute, useHash } from './router.ts';
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
  const connection = useConnection();
  const { offline, asOf } = useOffline();
  const presenting = usePresentation();
  // a narrow screen, or a zoomed-in projector, keeps the nav rail's icons only
  const narrow = useMediaQuery('(max-width: 1180px)') || presenting;
  if (session.state.status === 'loading') return <div className="skeleton">connecting to vfioscope…</div>;
  if (session.state.status === 'signed-out')
    return <LoginScreen reason={session.state.reason} error={session.state.error} onSignIn={session.signIn} />;
  // `offline`, `presenting` and `narrow` are classes on the root so any panel's CSS can follow them
  // (a storm banner greyed while its data is old; secondary panels hidden on a projector)
  const cls = ['app', offline ? 'offline' : '', presenting ? 'presenting' : '', narrow ? 'narrow' : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} data-testid="app" data-view={route.view} data-offline={offline} data-presentation={presenting}>
      <HostBar />
      <Nav route={route} />
      {/* dimmed while the stream is down: what is shown is no longer live */}
      <main className={`app-main ${connection.state === 'open' ? '' : 'stale'}`}>
        {offline && asOf !== null ? <OfflineNotice asOf={asOf} /> : null}
        <StormBanner />
        {route.view === 'topology' ? <TopologyView /> : null}
        {route.view === 'device' ? <DeviceView key={route.bdf} bdf={route.bdf} /> : null}
        {route.view === 'dma' ? <DmaView key={route.container ?? 'none'} container={route.container} /> : null}
        {route.view === 'interrupts' ? <InterruptsView /> : null}
        {route.view === 'events' ? <EventsView /> : null}
      </main>
    </div>
  );
}
