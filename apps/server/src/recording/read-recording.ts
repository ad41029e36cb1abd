/**
 * A recording file → its header and lines (packages/protocol's recording
 * format). Inflates every gzip member; a file cut short by a crash inflates
 * up to its last flush (finishFlush Z_SYNC_FLUSH: no error at a missing end),
 * and its last, partial line is dropped by readRecordingText.
 */
import { readFileSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { readRecordingText, type ParsedRecording } from '@vfioscope/protocol';

export function inflateRecording(bytes: Buffer): string {
  return gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
}

export function readRecordingFile(file: string): ParsedRecording {
  return readRecordingText(inflateRecording(readFileSync(file)));
}
