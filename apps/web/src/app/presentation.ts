/**
 * Presentation mode, for a projector: larger type, high contrast, only the
 * primary panels (CSS on `.app.presenting`). Remembered per browser in
 * localStorage; `?present=1` (or `=0`) in the address sets it, so a demo link
 * opens ready. A store outside React so the host bar's toggle and the app
 * root read one value.
 */
import { useSyncExternalStore } from 'react';

const KEY = 'vfioscope.present';
const listeners = new Set<() => void>();

function stored(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false; // storage refused (privacy mode): presentation is just off
  }
}

let presenting = stored();

// `?present=1|0` at start-up wins and is remembered
{
  const v = new URL(window.location.href).searchParams.get('present');
  if (v === '1' || v === '0') setPresenting(v === '1');
}

export function setPresenting(on: boolean): void {
  presenting = on;
  try {
    localStorage.setItem(KEY, on ? '1' : '0');
  } catch {
    // not remembered, still applied
  }
  for (const fn of listeners) fn();
}

export function usePresentation(): boolean {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => presenting,
  );
}
