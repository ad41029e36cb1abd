/**
 * The one place text becomes HTML. Everything a report shows came from a
 * host — process names, VM names from QEMU command lines, kernel messages,
 * token names — and any of it may hold markup; a report opened from a mail
 * must not run or fetch what a host wrote. `html` is a tagged template that
 * escapes every interpolated value unless it is already markup made here
 * (an `Html`), so an unescaped value cannot be written by forgetting.
 */

/** markup this code produced (escaped text, or tags around it) */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

export type HtmlValue = Html | string | number | null | undefined | readonly HtmlValue[];

function piece(v: HtmlValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  return escapeHtml(String(v));
}

/** Markup with every value escaped (arrays joined, null and undefined left out). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += piece(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
