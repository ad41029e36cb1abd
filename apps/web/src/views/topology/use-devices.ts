/** The topology's PCI devices by address, for views that name a device they know only by its BDF. */
import { useMemo } from 'react';
import type { PciDeviceView } from '@vfioscope/protocol';
import { useTopology } from '../../live/hooks.ts';

export function useDevicesByBdf(): Map<string, PciDeviceView> {
  const topo = useTopology().state;
  return useMemo(() => new Map((topo?.devices ?? []).map((d) => [d.bdf, d])), [topo]);
}
