/** The navigation rail, with live counts (active alerts, containers); icons only on a narrow screen. */
import type { Route } from '../../app/router.ts';
import { driveLabel } from '../../format/iommu.ts';
import { useAlerts, useHostLive } from '../../live/hooks.ts';
import { useHostClient } from '../../host/HostClientProvider.tsx';
import { isFleet, useFleet } from '../../fleet/FleetProvider.tsx';
import { troubles } from '../fleet/fleet-model.ts';

const ICONS: Record<string, string> = {
  topology: 'M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3zM14 14h7v7h-7z',
  dma: 'M4 6h16M4 12h16M4 18h10',
  interrupts: 'M13 2 4 14h7l-1 8 9-12h-7z',
  events: 'M4 5h16v14H4zM8 9h8M8 13h5',
  fleet: 'M3 4h18v5H3zM3 15h18v5H3zM7 6.5h.01M7 17.5h.01',
};

function Icon({ name }: { name: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" aria-hidden>
      <path d={ICONS[name]} />
    </svg>
  );
}

export function Nav({ route }: { route: Route }) {
  const { links } = useHostClient();
  const fleet = useFleet();
  const fleetTrouble = fleet.hosts?.filter((h) => troubles(h).length > 0).length ?? 0;
  const alerts = useAlerts().state;
  const host = useHostLive().state;
  const active = alerts ? [...alerts.values()].filter((a) => a.clearedAt === null).length : 0;
  const containers = host?.live.containers.length ?? 0;
  const drive = host?.drive;
  const item = (view: Route['view'], label: string, hrefTo: string, count?: number, alert?: boolean) => (
    <a
      href={hrefTo}
      className={route.view === view || (view === 'topology' && route.view === 'device') ? 'active' : ''}
      data-testid={`nav-${view}`}
      // the label is hidden on a narrow screen (icons only): keep the name for pointers and screen readers
      title={label}
      aria-label={count ? `${label} (${count})` : label}
    >
      <Icon name={view === 'device' ? 'topology' : view} />
      <span className="nav-label">{label}</span>
      {count !== undefined && count > 0 ? <span className={`count ${alert ? 'alert' : ''}`}>{count}</span> : null}
    </a>
  );
  return (
    <nav className="nav" data-testid="nav">
      {isFleet(fleet) ? item('fleet', 'Fleet', '#/fleet', fleetTrouble, true) : null}
      <div className="nav-section">Host</div>
      {item('topology', 'Topology', links.view({ view: 'topology' }))}
      {item('dma', 'DMA', links.view({ view: 'dma', container: null }), containers)}
      {item('interrupts', 'Interrupts', links.view({ view: 'interrupts' }), active, true)}
      {item('events', 'Events', links.view({ view: 'events' }))}
      <div className="nav-foot" data-testid="nav-foot">
        protocol v1 · drives {drive?.kind ? driveLabel(drive.kind) : 'nothing'}
      </div>
    </nav>
  );
}
