/**
 * A value as it was at this chart's last redraw (redraw-clock.ts): the
 * component around it renders with every change, what it hands to the
 * costly drawing changes at most every CHART_REDRAW_MS and not in a hidden
 * tab. The first value is drawn at once.
 */
import { useCallback, useRef, useState, useSyncExternalStore } from 'react';
import { redrawEpoch, subscribeRedraw, takeSlot } from './redraw-clock.ts';

export function usePaced<T>(value: T): T {
  const epoch = useRedrawEpoch();
  const held = useRef<{ epoch: number; value: T } | null>(null);
  if (held.current === null || held.current.epoch !== epoch) held.current = { epoch, value };
  return held.current.value;
}

/** this component's redraw count: changes once per CHART_REDRAW_MS (on its own slot's tick), never in a hidden tab */
export function useRedrawEpoch(): number {
  const [slot] = useState(takeSlot);
  return useSyncExternalStore(
    subscribeRedraw,
    useCallback(() => redrawEpoch(slot), [slot]),
  );
}
