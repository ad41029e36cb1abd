/**
 * When charts redraw: at most every CHART_REDRAW_MS, each chart in one of
 * SLOTS phases, and never in a hidden tab.
 *
 * The numbers on a page stay at the stream's 10 Hz (the IRQ-to-pixel goal is
 * about them) — but a small chart's own caption, which changes with it (the
 * interrupts grid's cells: VectorCharts' PacedRate); a 60 s chart moves a sixtieth of its width per second, so a
 * redraw every 500 ms moves it by under 1 % — nothing a person reads is lost,
 * and 12 Recharts redraws at 10 Hz cost a device page ~90 % of a core in
 * script (issue 13 §4). The clock ticks every CHART_REDRAW_MS / SLOTS and a
 * chart redraws on its own slot's tick only, so a page of many charts spreads
 * its redraws over frames instead of stacking them into one long task.
 * While document.visibilityState is 'hidden' the clock stops (the live store
 * keeps receiving; the first tick after the tab shows again redraws all).
 *
 * A view that renders with every tick of the stream anyway (the interrupts
 * view) paces its charts by the data's own time instead (tickEpoch): the
 * same CHART_REDRAW_MS and slots, but each redraw lands in the frame that
 * shows a tick. Chromium then paints, updates layers and commits once per
 * tick, not once more for each slot's redraw between ticks (on the storm
 * host at top 64 those in-between frames were ~3 % of a core).
 */
export const CHART_REDRAW_MS = 500;
export const SLOTS = 5;

let tick = 0;
let timer: number | null = null;
let watching = false;
const listeners = new Set<() => void>();

function onTick(): void {
  tick++;
  for (const fn of listeners) fn();
}

function sync(): void {
  const run = listeners.size > 0 && document.visibilityState !== 'hidden';
  if (run && timer === null) {
    timer = window.setInterval(onTick, CHART_REDRAW_MS / SLOTS);
  } else if (!run && timer !== null) {
    window.clearInterval(timer);
    timer = null;
  }
}

export function subscribeRedraw(fn: () => void): () => void {
  if (!watching) {
    watching = true;
    document.addEventListener('visibilitychange', () => {
      sync();
      // a redraw at once on coming back: the charts may be minutes old
      if (timer !== null) onTick();
    });
  }
  listeners.add(fn);
  sync();
  return () => {
    listeners.delete(fn);
    sync();
  };
}

/** the clock's tick count: changes every CHART_REDRAW_MS / SLOTS while the tab is visible */
export const redrawTick = (): number => tick;

let nextSlot = 0;
/** a slot for a new chart: consecutive charts get consecutive slots, so a grid spreads evenly */
export const takeSlot = (): number => nextSlot++ % SLOTS;

/** which redraw a chart in `slot` is at: changes once per CHART_REDRAW_MS, on the slot's own tick */
export const redrawEpoch = (slot: number): number => Math.floor((tick + slot) / SLOTS);

/**
 * Which redraw a chart in `slot` is at, by the data's clock: `t` is a tick's time (ms) at the stream's 10 Hz, and
 * the epoch changes once per CHART_REDRAW_MS, on the slot's own tick — as redrawEpoch, with the data's ticks for
 * the clock's. A slower stream changes it every tick.
 */
export const tickEpoch = (t: number, slot: number): number => Math.floor((Math.round(t / (CHART_REDRAW_MS / SLOTS)) + slot) / SLOTS);
