/**
 * Which host of the fleet the page shows (only when this server fronts
 * more than itself). Switching keeps the kind of view — a device or a
 * container of one host means nothing on another, so those open that
 * host's topology and DMA views.
 */
import { href, type Route, type View } from '../../app/router.ts';
import { isFleet, useFleet } from '../../fleet/FleetProvider.tsx';

function sameViewElsewhere(route: Route): View {
  switch (route.view) {
    case 'device':
    case 'fleet':
      return { view: 'topology' };
    case 'dma':
      return { view: 'dma', container: null };
    default:
      return route;
  }
}

export function HostSwitcher({ route, shown }: { route: Route; shown: string | null }) {
  const fleet = useFleet();
  if (!isFleet(fleet) || !fleet.hosts) return null;
  const value = route.view === 'fleet' ? '' : (shown ?? '');
  return (
    <select
      className="host-switcher"
      aria-label="Host"
      data-testid="host-switcher"
      value={value}
      onChange={(e) => {
        // this server's own host keeps its own URLs (#/topology), one URL per view
        const host = e.target.value === fleet.self ? null : e.target.value;
        window.location.hash = href({ ...sameViewElsewhere(route), host });
      }}
    >
      {route.view === 'fleet' ? (
        <option value="" disabled>
          choose a host…
        </option>
      ) : null}
      {fleet.hosts.map((h) => (
        <option key={h.name} value={h.name}>
          {h.name}
          {h.self ? ' (this server)' : ''}
          {h.state === 'down' ? ' — down' : ''}
        </option>
      ))}
    </select>
  );
}
