/**
 * A server of the test's own that replays a recording (`serve --replay FILE`,
 * the built CLI on a free loopback port, serving the e2e web build), and its
 * timeline driven over REST as the operator (POST /api/v1/replay) — how the
 * replay specs put it at a known moment before the browser looks.
 */
import { expect } from '@playwright/test';
import type { ReplayControlBody, ReplayMarkView, ReplayResponse } from '@vfioscope/protocol';
import { OPERATOR, type ServerProcess, startServer } from '../abuse/server-process.ts';
import { WEB_DIR } from './own-server.ts';

export interface ReplayServer extends ServerProcess {
  /** POST /replay: play, pause, speed, seek; the replay's state after it */
  control(body: ReplayControlBody): Promise<ReplayResponse>;
}

export async function startReplayServer(file: string): Promise<ReplayServer> {
  const server = await startServer({ replay: file, extraArgs: ['--web-dir', WEB_DIR] });
  const control = async (body: ReplayControlBody): Promise<ReplayResponse> => {
    const r = await fetch(`${server.base}/api/v1/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json', origin: server.base },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as ReplayResponse;
  };
  return { ...server, control };
}

/** The replay's marks of one kind whose label matches, in time order; fails the test when there is none. */
export function marksOf(replay: ReplayResponse, kind: ReplayMarkView['kind'], label: RegExp): ReplayMarkView[] {
  const found = replay.marks.filter((m) => m.kind === kind && label.test(m.label));
  expect(found, `${kind} marks matching ${label} in ${JSON.stringify(replay.marks)}`).not.toHaveLength(0);
  return found;
}
