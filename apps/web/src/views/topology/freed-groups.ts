/**
 * Groups the operator just made viable by binding their blockers to
 * vfio-pci, so the card (and the device page) can say what to do next. Kept
 * outside React: the topology grid is virtualised and a card scrolled out of
 * view and back is a new component that must still know.
 */
import { useSyncExternalStore } from 'react';

const freed = new Set<number>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const fn of listeners) fn();
}

export const freedGroups = {
  add(group: number): void {
    freed.add(group);
    changed();
  },
  dismiss(group: number): void {
    if (freed.delete(group)) changed();
  },
};

const subscribe = (fn: () => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

/** whether the operator freed this group (and has not dismissed the note) */
export function useFreed(group: number): boolean {
  useSyncExternalStore(subscribe, () => version);
  return freed.has(group);
}
