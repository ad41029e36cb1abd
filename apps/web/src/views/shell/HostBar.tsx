/**
 * The host bar: what this host is and the facts that bound VFIO on it
 * (backend, kernel, IOMMU, interrupt remapping, vfioscope's own
 * RLIMIT_MEMLOCK, dma_entry_limit, vectors), plus the stream's connection
 * state, the role and the presentation toggle. On a narrow screen the facts
 * wrap onto a second row rather than being cut off.
 */
import { useEffect, useState } from 'react';
import { driveLabel } from '../../format/iommu.ts';
import { useConnection, useHostLive } from '../../live/hooks.ts';
import { useSession } from '../../app/session.tsx';
import { setPresenting, usePresentation } from '../../app/presentation.ts';
import { formatBytes, formatCount } from '../../format/units.ts';
import type { Route } from '../../app/router.ts';
import { HostSwitcher } from './HostSwitcher.tsx';
import { RecordControl } from './RecordControl.tsx';
import { useFleet } from '../../fleet/FleetProvider.tsx';

function Fact({
  k,
  v,
  tone,
  testid,
  title,
}: {
  k: string;
  v: string;
  tone?: 'warn' | 'bad' | 'good' | undefined;
  testid: string;
  title?: string | undefined;
}) {
  return (
    <div className="fact" data-testid={testid} title={title}>
      <span className="k">{k}</span>
      <span className={`v ${tone ?? ''}`}>{v}</span>
    </div>
  );
}

function ConnectionIndicator() {
  const c = useConnection();
  // a replay's stream is open, but what it shows is not live
  const replaying = useSession().replay !== null;
  const [, tick] = useState(0);
  useEffect(() => {
    if (c.retryAt === null) return;
    const t = window.setInterval(() => tick((n) => n + 1), 500);
    return () => window.clearInterval(t);
  }, [c.retryAt]);
  const label =
    c.state === 'open'
      ? replaying
        ? 'replay'
        : 'live'
      : c.state === 'connecting'
        ? 'connecting…'
        : `offline · retry ${c.retryAt ? Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000)) : 0}s`;
  const tone = c.state === 'open' ? 'ok' : c.state === 'connecting' ? 'warn' : 'bad';
  return (
    <span className="conn" data-testid="connection" data-state={c.state} title={c.reason ?? undefined}>
      <span className={`dot ${tone}`} />
      {label}
    </span>
  );
}

function PresentToggle() {
  const on = usePresentation();
  return (
    <button
      type="button"
      className={`btn ghost small ${on ? 'on' : ''}`}
      aria-pressed={on}
      onClick={() => setPresenting(!on)}
      title="Presentation mode: larger type, high contrast, fewer panels (?present=1)"
      data-testid="present-toggle"
    >
      Present
    </button>
  );
}

/** `shown`: the fleet name of the host on screen (null while this server's own name is not known yet) */
export function HostBar({ route, shown }: { route: Route; shown: string | null }) {
  const host = useHostLive().state;
  const session = useSession();
  const fleet = useFleet();
  // recordings are this server's own (its data dir): the control shows on its own live host only
  const recordable = (shown === null || shown === fleet.self) && session.replay === null;
  const info = host?.info;
  const live = host?.live;
  const remap = info?.interruptRemapping;
  const unsafe = info?.modules.allowUnsafeInterrupts;
  return (
    <header className="hostbar" data-testid="host-bar">
      <div className="brand">
        <span className="logo">◈</span> vfioscope
      </div>
      <HostSwitcher route={route} shown={shown} />
      {info ? (
        <div className="facts">
          <div className="fact" data-testid="host-name">
            <span className="k">{info.backend === 'sim' ? `sim · ${info.scenario ?? 'scenario'}` : 'linux'}</span>
            <span className="v host-name">{info.hostname}</span>
          </div>
          <Fact testid="host-kernel" k="kernel" v={info.kernel} />
          <Fact
            testid="host-iommu"
            k="IOMMU"
            v={info.iommu.present ? `${info.iommu.groupCount} groups` : 'absent'}
            tone={info.iommu.present ? undefined : 'bad'}
            title={info.iommu.reason}
          />
          <Fact
            testid="host-iommu-path"
            k="drives via"
            v={host.drive.kind === null ? `${host.drive.iommu}: unavailable` : driveLabel(host.drive.kind)}
            tone={host.drive.kind === null ? 'bad' : undefined}
            title={
              host.drive.reason ??
              `serve --iommu ${host.drive.iommu}; this kernel offers: container ${info.uapi.container ?? 'none'}, /dev/iommu ${info.uapi.iommufd ? 'yes' : 'no'}, device cdev ${info.uapi.cdev ? 'yes' : 'no'}`
            }
          />
          <Fact
            testid="host-irq-remap"
            k="IRQ remapping"
            v={remap === null ? 'unknown' : remap ? 'yes' : unsafe ? 'no · unsafe allowed' : 'no'}
            tone={remap ? 'good' : unsafe ? 'warn' : remap === false ? 'bad' : undefined}
            title={`allow_unsafe_interrupts=${unsafe === null ? 'n/a' : unsafe ? 'Y' : 'N'}`}
          />
          {/* the limit of this process, not of the host or its VMs (each VM has its own) */}
          <Fact
            testid="host-memlock"
            k="vfioscope memlock"
            v={info.memlockLimit === null ? 'unlimited' : formatBytes(info.memlockLimit)}
            title="RLIMIT_MEMLOCK of the vfioscope process: the most it can pin for its own DMA mappings"
          />
          <Fact
            testid="host-dma-limit"
            k="dma_entry_limit"
            v={info.modules.dmaEntryLimit === null ? 'n/a' : formatCount(info.modules.dmaEntryLimit)}
          />
          {live ? (
            <Fact
              testid="host-vectors"
              k="vectors"
              v={`${formatCount(live.vectorsInUse)} / ${formatCount(info.vectorLimit)}`}
              tone={live.vectorsInUse > info.vectorLimit * 0.9 ? 'bad' : undefined}
            />
          ) : null}
        </div>
      ) : (
        <span className="faint">loading host…</span>
      )}
      <div className="right">
        {recordable ? <RecordControl /> : null}
        <ConnectionIndicator />
        <PresentToggle />
        {session.role ? (
          <span className={`role ${session.role}`} data-testid="role" data-role={session.role}>
            {session.role}
          </span>
        ) : null}
        <button type="button" className="btn ghost small" onClick={session.signOut} data-testid="sign-out">
          Sign out
        </button>
      </div>
    </header>
  );
}
