/** Script times: "mm:ss" from the start of a pass, as a demo's run sheet writes them. */
import type { ScriptTime } from './script-types.ts';

const MM_SS = /^(\d{2}):([0-5]\d)$/;

/** "01:30" → 90000 ms; null when not "mm:ss" */
export function scriptTimeMs(t: unknown): number | null {
  if (typeof t !== 'string') return null;
  const m = MM_SS.exec(t);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : null;
}

/** 90000 → "01:30" (whole seconds) */
export function formatScriptTime(ms: number): ScriptTime {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
