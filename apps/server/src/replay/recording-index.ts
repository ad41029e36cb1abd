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

export function indexRecording(bytes: Buffer): RecordingIndex {
  const starts = memberStarts(bytes);
  const members: RecordingMember[] = [];
  const marks: ReplayMark[] = [];
  const seenAlerts = new Set<string>();
  let header: RecordingHeader | null = null;
  let end: RecordingEndReason | null = null;
  /** when the replay starts: once the first snapshots are in (the last one before the first delta) */
  let startT: number | null = null;
  const parseMember = (i: number): RecordingLine[] => {
    const text = inflateMember(bytes.subarray(starts[i]!, starts[i + 1] ?? bytes.length));
    if (i === 0) {
      const parsed = readRecordingText(text);
      header = parsed.header;
      return parsed.lines;
    }
    // a member is the header-less continuation: read it behind the file's header line
    return readRecordingText(`${JSON.stringify(header)}\n${text}`).lines;
  };
  for (let i = 0; i < starts.length; i++) {
    const lines = parseMember(i);
    const firstT = i === 0 ? header!.startedAt : (lines[0]?.t ?? header!.startedAt);
    members.push({ start: starts[i]!, end: starts[i + 1] ?? bytes.length, firstT, lastT: lines.at(-1)?.t ?? firstT });
    if (i === 0) {
      const firstDelta = lines.findIndex((l) => 'm' in l && l.m.type === 'delta');
      const before = (firstDelta < 0 ? lines : lines.slice(0, firstDelta)).filter((l) => 'm' in l && l.m.type === 'snapshot');
      startT = before.at(-1)?.t ?? null;
    }
    for (const line of lines) {
      if ('end' in line) end = line.end;
      else marks.push(...marksOf(line, seenAlerts));
    }
  }
  const h = header as RecordingHeader | null;
  if (!h) throw new Error('a recording without a header');
  return {
    header: h,
    members,
    startT: startT ?? h.startedAt,
    endT: Math.max(...members.map((m) => m.lastT)),
    end,
    marks,
    memberLines: parseMember,
  };
}
