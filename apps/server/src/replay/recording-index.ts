/**
 * A recording, ready to replay without holding it inflated: an hour of the
 * default scenario is some 20 MB on disk but near a gigabyte of JSON. The
 * compressed bytes stay in memory; each keyframe opened a gzip member
 * (recording-writer.ts), so any moment is reached by inflating the one
 * member that holds it. One pass at load finds the members, their time
 * spans and the moments worth jumping to (alerts, kernel faults, actions).
 *
 * Member boundaries are found by the gzip header our writer emits (RFC 1952:
 * ID1 ID2 CM=8, FLG=0, MTIME=0, XFL, OS=3 — zlib's own), and each candidate
 * is confirmed by inflating it: a boundary starts with a keyframe marker.
 */
import { constants as zlibConstants, gunzipSync, inflateRawSync } from 'node:zlib';
import { readRecordingText, type RecordingEndReason, type RecordingHeader, type RecordingLine } from '@vfioscope/protocol';

export interface RecordingMember {
  /** byte range in the file */
  start: number;
  end: number;
  /** the time of its first line (member 0: the header's startedAt) and of its last */
  firstT: number;
  lastT: number;
  /** the topics with a snapshot in it (a catch-up starts from the last member with its topic's snapshot) */
  snapshots: ReadonlySet<string>;
}

export type ReplayMarkKind = 'alert' | 'kernel-fault' | 'action';

export interface ReplayMark {
  t: number;
  kind: ReplayMarkKind;
  /** what it was, in a few words (the alert's or event's own text) */
  label: string;
}

export interface RecordingIndex {
  header: RecordingHeader;
  members: RecordingMember[];
  startT: number;
  endT: number;
  /** how it ended; null when cut short (a crash) */
  end: RecordingEndReason | null;
  marks: ReplayMark[];
  /** the lines of member i, parsed (the header is not among member 0's) */
  memberLines(i: number): RecordingLine[];
}

/** zlib's gzip header as our writer emits it: magic, deflate, no flags, no mtime; XFL and OS follow */
const GZIP_HEAD = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
const GZIP_HEADER_BYTES = 10;
const OS_UNIX = 3;

function inflateMember(bytes: Buffer): string {
  return gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
}

/** Offsets of the gzip members: header candidates, each confirmed by its first line being a keyframe marker. */
function memberStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let at = bytes.indexOf(GZIP_HEAD, 1); at >= 0; at = bytes.indexOf(GZIP_HEAD, at + 1)) {
    if (bytes[at + 9] !== OS_UNIX) continue;
    try {
      // a few KiB of raw deflate past the header are enough to read the first line
      const head = inflateRawSync(bytes.subarray(at + GZIP_HEADER_BYTES, at + GZIP_HEADER_BYTES + 4096), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      }).toString('utf8');
      if (/^\{"t":\d+(\.\d+)?,"keyframe":\d+\}\n/.test(head)) starts.push(at);
    } catch {
      // not a member: compressed data that happened to look like a header
    }
  }
  return starts;
}

/** The moments a replay lets one jump to: an alert raised (once per alert), an IOMMU fault the kernel logged, an operator's action. */
function marksOf(line: RecordingLine, seenAlerts: Set<string>): ReplayMark[] {
  if (!('m' in line)) return [];
  const m = line.m;
  if (m.type !== 'delta') return [];
  const out: ReplayMark[] = [];
  if (m.kind === 'alerts') {
    for (const a of m.data.upsert) {
      if (a.clearedAt !== null || seenAlerts.has(a.id)) continue;
      seenAlerts.add(a.id);
      const label = a.kind === 'storm' ? `interrupt storm on ${a.bdf} ${a.index} ${a.vector}` : `${a.reason}${a.bdf ? ` on ${a.bdf}` : ''}`;
      out.push({ t: line.t, kind: 'alert', label });
    }
  } else if (m.kind === 'events') {
    for (const e of m.data.events) {
      if (e.kind === 'action') out.push({ t: line.t, kind: 'action', label: e.message });
      else if (e.kind === 'kernel' && e.op === 'iommu-fault') out.push({ t: line.t, kind: 'kernel-fault', label: e.message });
    }
  }
  return out;
}

/** a line's time, read without parsing the line (every line begins {"t":N,…) */
const LINE_T = /^\{"t":(\d+(?:\.\d+)?),/;
/** what a message line is, from its first bytes: the stream writes "type" and "kind" first */
const LINE_HEAD = /^\{"t":[\d.]+,"m":\{"type":"(\w+)","kind":"([\w-]+)"(?:,"topic":"([^"]+)")?/;

export function indexRecording(bytes: Buffer): RecordingIndex {
  const starts = memberStarts(bytes);
  const members: RecordingMember[] = [];
  const marks: ReplayMark[] = [];
  const seenAlerts = new Set<string>();
  let end: RecordingEndReason | null = null;
  /** when the replay starts: once the first snapshots are in (the last one before the first delta) */
  let startT: number | null = null;
  const memberText = (i: number) => inflateMember(bytes.subarray(starts[i]!, starts[i + 1] ?? bytes.length));
  // the header, checked once; each member after the first is a header-less continuation, read behind it
  const first = memberText(0);
  const header = readRecordingText(first.slice(0, first.indexOf('\n') + 1)).header;
  const headerLine = `${JSON.stringify(header)}\n`;
  const parseMember = (i: number): RecordingLine[] => {
    const text = i === 0 ? first : memberText(i);
    return readRecordingText(i === 0 ? text : headerLine + text).lines;
  };
  // one pass over every line, parsing only the few a mark can come from (a load of an hour's recording is
  // mostly inflating it: the device pages' per-tick deltas are never parsed here)
  for (let i = 0; i < starts.length; i++) {
    const lines = (i === 0 ? first : memberText(i)).split('\n');
    if (i === 0) lines.shift(); // the header
    lines.pop(); // the '' after the last newline, or a last line cut short by a crash
    let firstT: number | null = null;
    let lastT: number | null = null;
    let sawDelta = false;
    const snapshots = new Set<string>();
    for (const line of lines) {
      const t = LINE_T.exec(line);
      if (!t) continue;
      const at = Number(t[1]);
      firstT ??= at;
      lastT = at;
      const head = LINE_HEAD.exec(line);
      if (head?.[1] === 'snapshot' && head[3] !== undefined) snapshots.add(head[3]);
      if (i === 0 && !sawDelta && head) {
        if (head[1] === 'delta') sawDelta = true;
        else if (head[1] === 'snapshot') startT = at;
      }
      if (head?.[1] === 'delta' && (head[2] === 'alerts' || head[2] === 'events'))
        marks.push(...marksOf(JSON.parse(line) as RecordingLine, seenAlerts));
      else if (!head && line.includes('"end":')) end = (JSON.parse(line) as { end: RecordingEndReason }).end;
    }
    const memberFirst = i === 0 ? header.startedAt : (firstT ?? header.startedAt);
    members.push({ start: starts[i]!, end: starts[i + 1] ?? bytes.length, firstT: memberFirst, lastT: lastT ?? memberFirst, snapshots });
  }
  return {
    header,
    members,
    startT: startT ?? header.startedAt,
    endT: Math.max(...members.map((m) => m.lastT)),
    end,
    marks,
    memberLines: parseMember,
  };
}
