/**
 * WCAG 2 contrast of rendered text: the computed text colour (an SVG text's
 * fill) against the background actually behind it — the element's and its
 * ancestors' background colours composited bottom-up until an opaque one.
 * Gradients and images are not followed (none sits behind body text here).
 */
import type { Page } from '@playwright/test';

export interface Contrast {
  selector: string;
  text: string;
  fg: string;
  bg: string;
  ratio: number;
}

type Rgba = [number, number, number, number];

// evaluated in the page (a string: this file is typechecked without the DOM lib)
const PAGE_SIDE = `(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const cs = getComputedStyle(el);
  const fg = el instanceof SVGElement ? cs.fill : cs.color;
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const bg = getComputedStyle(n).backgroundColor;
    layers.push(bg);
    if (/^rgb\\(/.test(bg) || /,\\s*1\\)$/.test(bg)) break;
  }
  return { fg, layers, text: (el.textContent || '').trim().slice(0, 40) };
}`;

function parse(c: string): Rgba {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) throw new Error(`not an rgb colour: ${c}`);
  const [r = 0, g = 0, b = 0, a = 1] = m[1]!
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  return [r, g, b, a];
}

function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const f = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

export function ratio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

type Sample = { fg: string; layers: string[]; text: string } | null;

/**
 * The contrast of the first element matching each selector (null where there
 * is none), read in one round trip: a page drawing live charts answers slowly.
 */
export async function contrastsOf(page: Page, selectors: readonly string[]): Promise<(Contrast | null)[]> {
  const samples = (await page.evaluate(`${JSON.stringify(selectors)}.map(${PAGE_SIDE})`)) as Sample[];
  return samples.map((r, i) => {
    if (!r) return null;
    // the page's own background is black when nothing paints one
    let bg: Rgba = [0, 0, 0, 1];
    for (const layer of [...r.layers].reverse()) bg = over(parse(layer), bg);
    const fg = over(parse(r.fg), bg);
    const show = (c: Rgba) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
    return { selector: selectors[i]!, text: r.text, fg: show(fg), bg: show(bg), ratio: Math.round(ratio(fg, bg) * 100) / 100 };
  });
}
