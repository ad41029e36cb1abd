/**
 * The timeline of a replay (`vfioscope serve --replay FILE`): what is being
 * replayed, play/pause, speed, a scrubber with the recording's alerts,
 * kernel faults and actions marked on it, jumps to the next of each, and
 * the recording's own wall clock at the position. Every view below shows
 * the recording at that moment; nothing can be done to a host.
 */
import { useCallback, useEffect, useState } from 'react';
import { REPLAY_SPEEDS, type ReplayControlBody, type ReplayMarkView, type ReplayResponse, type ReplaySpeed } from '@vfioscope/protocol';
import { api } from '../api/rest.ts';
import { useSession } from '../app/session.tsx';
import { OpenRecording } from './OpenRecording.tsx';
import { MARK_LEAD_MS, nextMark, positionNow, recordingClock, spanLabel } from './replay-model.ts';

/** how often the bar asks where the replay is (between answers it moves the position itself) */
const POLL_MS = 1000;

const MARK_NAMES: Record<ReplayMarkView['kind'], string> = { alert: 'alert', 'kernel-fault': 'kernel fault', action: 'action' };

export function ReplayBar({ initial }: { initial: ReplayResponse }) {
  const { role } = useSession();
  const [replay, setReplay] = useState(initial);
  const [heardAt, setHeardAt] = useState(() => performance.now());
  const [now, setNow] = useState(() => performance.now());
  const [error, setError] = useState<string | null>(null);
  /** while the scrubber is held: the moment under it (sent on release) */
  const [dragging, setDragging] = useState<number | null>(null);

  const heard = useCallback((r: ReplayResponse) => {
    setReplay(r);
    setHeardAt(performance.now());
    setError(null);
  }, []);
  useEffect(() => {
    const poll = window.setInterval(() => {
      api.call('replay').then(heard, (e: Error) => setError(e.message));
    }, POLL_MS);
    const tick = window.setInterval(() => setNow(performance.now()), 250);
    return () => {
      window.clearInterval(poll);
      window.clearInterval(tick);
    };
  }, [heard]);

  const control = (body: ReplayControlBody) => api.call('replayControl', { body }).then(heard, (e: Error) => setError(e.message));
  const { state, header, marks } = replay;
  const position = dragging ?? positionNow(state, now - heardAt);
  const spansDays = new Date(state.startT).toDateString() !== new Date(state.endT).toDateString();
  const span = Math.max(1, state.endT - state.startT);
  const jump = (kind: ReplayMarkView['kind']) => {
    const m = nextMark(marks, kind, position);
    if (m) void control({ seek: Math.max(state.startT, m.t - MARK_LEAD_MS) });
  };

  return (
    <section className="replay-bar" data-testid="replay-bar" aria-label="Replay timeline" data-position={Math.round(position)}>
      <div className="replay-what">
        <strong>Replay</strong> of <span data-testid="replay-file">{replay.file}</span> — {header.host.name} · {header.host.backend}
        {header.host.scenario ? ` (${header.host.scenario})` : ''} · kernel {header.host.kernel}
        {header.redacted ? ' · redacted' : ''}
        {replay.ended === null ? ' · cut short: replays up to its last record' : ''}
        <span className="replay-readonly">read-only</span>
        {role === 'operator' ? <OpenRecording /> : null}
      </div>
      <div className="replay-controls">
        <button type="button" data-testid="replay-play" onClick={() => void control({ playing: !state.playing })}>
          {state.playing ? 'Pause' : 'Play'}
        </button>
        <label>
          speed{' '}
          <select
            data-testid="replay-speed"
            value={state.speed}
            onChange={(e) => void control({ speed: Number(e.target.value) as ReplaySpeed })}
          >
            {REPLAY_SPEEDS.map((s) => (
              <option key={s} value={s}>
                ×{s}
              </option>
            ))}
          </select>
        </label>
        <span className="replay-clock" data-testid="replay-clock" title="the recording's wall clock">
          {recordingClock(position, spansDays)}
        </span>
        <div className="replay-track">
          <input
            type="range"
            data-testid="replay-scrub"
            aria-label="position in the recording"
            min={state.startT}
            max={state.endT}
            step={100}
            value={position}
            onChange={(e) => setDragging(Number(e.target.value))}
            onPointerUp={() => {
              if (dragging !== null) void control({ seek: dragging }).then(() => setDragging(null));
            }}
            onKeyUp={() => {
              if (dragging !== null) void control({ seek: dragging }).then(() => setDragging(null));
            }}
          />
          {marks.map((m) => (
            <span
              key={`${m.kind}-${m.t}-${m.label}`}
              className={`replay-mark replay-mark-${m.kind}`}
              style={{ left: `${((m.t - state.startT) / span) * 100}%` }}
              title={`${recordingClock(m.t, spansDays)} ${MARK_NAMES[m.kind]}: ${m.label}`}
            />
          ))}
        </div>
        <span className="replay-span">
          {spanLabel(position - state.startT)} / {spanLabel(span)}
        </span>
        {(['alert', 'kernel-fault', 'action'] as const).map((k) => (
          <button
            key={k}
            type="button"
            data-testid={`replay-next-${k}`}
            disabled={nextMark(marks, k, position) === null}
            onClick={() => jump(k)}
          >
            next {MARK_NAMES[k]}
          </button>
        ))}
      </div>
      {error ? (
        <div className="replay-error" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}
