/**
 * Searching a JSON-lines file for lines that contain a string, a 64 KiB
 * chunk at a time: each chunk is decoded once and searched with indexOf, and
 * only the lines with a hit become strings of their own. Splitting every
 * line first costs ~10x more and, before V8 has compiled the loop, blocks
 * for hundreds of ms per 4 MiB. Reads, bounds and byte offsets are those of
 * jsonl-lines.ts. Each search returns the window's boundary line — the last
 * complete line it examined — so a caller can say where the next read starts.
 */
import { BackwardChunks, ForwardChunks, type JsonLine, NL, READ_CHUNK_BYTES, type ReadCounter } from './jsonl-lines.ts';

export interface LineSearch {
  /** a line matches when it contains any of them; a needle with a '\n' never matches */
  needles: readonly string[];
  /** compare in lower case (the needles are lowered here) */
  ignoreCase?: boolean;
}

/** Lines containing a needle, among the complete lines [from, to) of `data`, whose byte 0 is at file offset `base`; oldest first. */
function matchingLines(data: Buffer, from: number, to: number, base: number, needles: readonly string[], ignoreCase: boolean): JsonLine[] {
  const out: JsonLine[] = [];
  if (needles.length === 0 || from >= to) return out;
  const str = data.toString('utf8', from, to);
  const hay = ignoreCase ? str.toLowerCase() : str;
  if (hay.length !== str.length) return matchingLinesOneByOne(str, base + from, needles);
  // with one char per byte (ASCII), a char index is a byte offset; otherwise count bytes per hit
  const oneBytePerChar = str.length === to - from;
  const next = needles.map((n) => hay.indexOf(n));
  let at = 0;
  for (;;) {
    let hit = -1;
    for (let i = 0; i < needles.length; i++) {
      let h = next[i] ?? -1;
      if (h !== -1 && h < at) next[i] = h = hay.indexOf(needles[i] ?? '', at);
      if (h !== -1 && (hit === -1 || h < hit)) hit = h;
    }
    if (hit === -1) return out;
    const start = hay.lastIndexOf('\n', hit) + 1;
    const end = hay.indexOf('\n', hit);
    const text = str.slice(start, end);
    const offset = base + from + (oneBytePerChar ? start : Buffer.byteLength(str.slice(0, start)));
    out.push({ offset, end: offset + (oneBytePerChar ? end - start : Buffer.byteLength(text)) + 1, text });
    at = end + 1;
  }
}

/** the same, line by line: for text whose lower case changes its length (a few non-ASCII letters) */
function matchingLinesOneByOne(str: string, offset: number, needles: readonly string[]): JsonLine[] {
  const out: JsonLine[] = [];
  for (let start = 0; start < str.length; ) {
    const end = str.indexOf('\n', start);
    const text = str.slice(start, end);
    const bytes = Buffer.byteLength(text);
    const lower = text.toLowerCase();
    if (needles.some((n) => lower.includes(n))) out.push({ offset, end: offset + bytes + 1, text });
    offset += bytes + 1;
    start = end + 1;
  }
  return out;
}

function prepare(search: LineSearch): { needles: string[]; ignoreCase: boolean } {
  const ignoreCase = search.ignoreCase ?? false;
  const needles = search.needles.filter((n) => !n.includes('\n')).map((n) => (ignoreCase ? n.toLowerCase() : n));
  return { needles, ignoreCase };
}

/** The complete lines in [start, end) that match, oldest first; returns the last complete line of the window. */
export function* searchForward(
  fd: number,
  start: number,
  end: number,
  search: LineSearch,
  counter: ReadCounter,
  chunkBytes = READ_CHUNK_BYTES,
): Generator<JsonLine, JsonLine | undefined> {
  const { needles, ignoreCase } = prepare(search);
  let boundary: JsonLine | undefined;
  const c = new ForwardChunks(fd, start, end, counter, chunkBytes);
  // buf[keepFrom, len) is a line not complete yet
  let keepFrom = 0;
  while (c.advance(keepFrom)) {
    const data = c.buf.subarray(0, c.len);
    const lastNl = data.lastIndexOf(NL);
    if (lastNl === -1) {
      keepFrom = 0;
      continue;
    }
    yield* matchingLines(data, 0, lastNl + 1, c.base, needles, ignoreCase);
    const lineStart = lastNl >= 1 ? data.lastIndexOf(NL, lastNl - 1) + 1 : 0;
    boundary = { offset: c.base + lineStart, end: c.base + lastNl + 1, text: data.toString('utf8', lineStart, lastNl) };
    keepFrom = lastNl + 1;
  }
  return boundary;
}

/**
 * The complete lines in [floor, end) that match, newest first (`end` and
 * `floorIsLineStart` as in linesBackward); returns the oldest complete line
 * of the window.
 */
export function* searchBackward(
  fd: number,
  end: number,
  floor: number,
  floorIsLineStart: boolean,
  search: LineSearch,
  counter: ReadCounter,
  chunkBytes = READ_CHUNK_BYTES,
): Generator<JsonLine, JsonLine | undefined> {
  const { needles, ignoreCase } = prepare(search);
  let boundary: JsonLine | undefined;
  const c = new BackwardChunks(fd, end, floor, counter, chunkBytes);
  // buf[0, keep): a line whose start is not read yet, with its '\n'
  let keep = 0;
  let lastNewlineFound = false;
  while (c.advance(keep)) {
    const data = c.buf.subarray(0, c.len);
    let blockEnd = data.length;
    if (!lastNewlineFound) {
      const lastNl = data.lastIndexOf(NL);
      if (lastNl === -1) {
        keep = 0; // all of it is an unterminated tail
        continue;
      }
      blockEnd = lastNl + 1;
      lastNewlineFound = true;
    }
    // the bytes up to the first '\n' end a line that starts further back
    const blockStart = data.indexOf(NL) + 1;
    yield* matchingLines(data, blockStart, blockEnd, c.base, needles, ignoreCase).reverse();
    if (blockStart < blockEnd) {
      const lineEnd = data.indexOf(NL, blockStart);
      boundary = { offset: c.base + blockStart, end: c.base + lineEnd + 1, text: data.toString('utf8', blockStart, lineEnd) };
    }
    keep = blockStart;
  }
  if (floorIsLineStart && lastNewlineFound && keep > 0 && c.base === floor) {
    yield* matchingLines(c.buf, 0, keep, floor, needles, ignoreCase);
    boundary = { offset: floor, end: floor + keep, text: c.buf.toString('utf8', 0, keep - 1) };
  }
  return boundary;
}
