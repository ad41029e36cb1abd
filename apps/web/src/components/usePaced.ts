/**
 * A value as it was at this chart's last redraw (redraw-clock.ts): the
 * component around it renders with every change, what it hands to the
 * costly drawing changes at most every CHART_REDRAW_MS and not in a hidden
 * tab. The first value is drawn at once.
 */
import { useCallback, useRef, useState, useSyncExternalStore } from 'react';
import { redrawEpoch, subscribeRedraw, takeSlot, tickEpoch } from './redraw-clock.ts';

export function usePaced<T>(value: T): T {
  return useHeld(value, useRedrawEpoch());
}

/** `value` as it was when `epoch` last changed */
export function useHeld<T>(value: T, epoch: number): T {
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

/**
 * This component's redraw count paced by the data's clock (tickEpoch): for a component that renders with every tick
 * of the stream, so its redraws land in the tick's own frame. It holds while the tab is hidden (the store keeps
 * rendering there); the first tick after it shows again moves it on.
 */
export function useTickEpoch(t: number): number {
  const [slot] = useState(takeSlot);
  const seen = useRef(t);
  if (document.visibilityState !== 'hidden') seen.current = t;
  return tickEpoch(seen.current, slot);
}
