/**
 * The host bar's Record control, on this server's own host: "Record" starts
 * a recording of everything the UI shows into the server's data dir; while
 * it runs the button reads "Stop · 1m 20s · 812 KiB". Beside it, the list of
 * recordings to download (a viewer may download; only an operator records).
 * The status is asked about once a second while a recording runs or the
 * list is open, and not at all otherwise.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest, type RecordingFile, type RecordingStatusResponse } from '@vfioscope/protocol';
import { downloadFile } from '../../api/download.ts';
import { ApiError, api } from '../../api/rest.ts';
import { ActionButton } from '../../components/ActionButton.tsx';
import { toast } from '../../components/toasts.ts';
import { toApiError } from '../../components/useAction.ts';
import { formatAgo, formatBytes } from '../../format/units.ts';
import { stopLabel } from './record-label.ts';

const POLL_MS = 1000;

const END_WORDS: Record<string, string> = {
  stopped: 'stopped',
  'disk-full': 'stopped: the disk is full',
  'write-error': 'stopped: a write failed',
  'server-gone': 'stopped with the server',
  duration: 'its duration was reached',
  signal: 'stopped by a signal',
};

function RecordingsList({ files, error }: { files: RecordingFile[] | null; error: string | null }) {
  if (error !== null) return <div className="faint">{error}</div>;
  if (files === null) return <div className="faint">loading…</div>;
  if (files.length === 0) return <div className="faint">No recordings yet.</div>;
  return (
    <ul className="recordings-list" data-testid="recordings-list">
      {files.map((f) => (
        <li key={f.name} data-testid="recording-file" data-name={f.name}>
          <a
            href={apiRequest('recordingDownload', { params: { name: f.name } }).url}
            download={f.name}
            data-testid="recording-download"
            onClick={(e) => {
              // the link needs the session's token, which a plain navigation would not carry
              e.preventDefault();
              downloadFile(apiRequest('recordingDownload', { params: { name: f.name } }), f.name).catch((err: unknown) => {
                toast.error(toApiError(err), `Download ${f.name}`);
              });
            }}
          >
            {f.name}
          </a>
          <span className="faint">
            {formatBytes(f.bytes)} · {f.recording ? 'recording' : formatAgo(f.modifiedAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function RecordControl() {
  const [status, setStatus] = useState<RecordingStatusResponse | null>(null);
  const [open, setOpen] = useState(false);
  const [files, setFiles] = useState<RecordingFile[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const root = useRef<HTMLDivElement>(null);
  const recording = status?.recording ?? null;

  const refresh = useCallback(async () => {
    try {
      setStatus(await api.call('recordingStatus'));
      setNow(Date.now());
    } catch {
      // the connection indicator says when the server is away; the button keeps its last state
    }
  }, []);

  const refreshList = useCallback(async () => {
    try {
      setFiles((await api.call('recordings')).recordings);
      setListError(null);
    } catch (e) {
      setListError(`${toApiError(e).errno}: ${toApiError(e).message}`);
    }
  }, []);

  // once on entry: a recording someone started before this page opened shows at once
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const polling = recording !== null || open;
  useEffect(() => {
    if (!polling) return;
    // the list follows the status while it is open: a new file, a growing one, one that ended
    if (open) void refreshList();
    const t = window.setInterval(() => {
      if (document.hidden) return;
      void refresh();
      if (open) void refreshList();
    }, POLL_MS);
    return () => window.clearInterval(t);
  }, [polling, open, refresh, refreshList]);

  // a recording that ended by itself (disk full) is told once
  const seenEnd = useRef<number | null>(null);
  useEffect(() => {
    const last = status?.last;
    if (!last || seenEnd.current === last.endedAt) return;
    const first = seenEnd.current === null && status?.recording === null && Date.now() - last.endedAt > 5000;
    seenEnd.current = last.endedAt;
    if (!first && last.failure) {
      toast.error(
        new ApiError(0, last.failure.errno, last.failure.message),
        `Recording ${last.name} ${END_WORDS[last.ended] ?? last.ended}`,
      );
    }
  }, [status]);

  // the list closes with Escape or a click elsewhere
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);

  const act = async (what: 'recordingStart' | 'recordingStop') => {
    setPending(true);
    try {
      if (what === 'recordingStart') setStatus(await api.call('recordingStart', { body: {} }));
      else {
        const { recording: ended } = await api.call('recordingStop');
        toast.ok(`Recorded ${ended.name}: ${formatBytes(ended.bytes)}`);
        await refresh();
      }
      setNow(Date.now());
    } catch (e) {
      toast.error(toApiError(e), what === 'recordingStart' ? 'Record' : 'Stop recording');
      await refresh();
    } finally {
      setPending(false);
    }
  };

  const last = status?.last ?? null;
  return (
    <div className="record-control" ref={root} data-testid="record-control" data-recording={recording !== null}>
      {recording ? (
        <ActionButton testid="record-stop" small variant="danger" pending={pending} onClick={() => void act('recordingStop')}>
          <span className="rec-dot" aria-hidden="true" />
          <span data-testid="record-progress" data-bytes={recording.bytes}>
            {stopLabel(recording, Math.max(now, recording.startedAt))}
          </span>
        </ActionButton>
      ) : (
        <ActionButton testid="record-start" small pending={pending} onClick={() => void act('recordingStart')}>
          <span className="rec-dot idle" aria-hidden="true" />
          Record
        </ActionButton>
      )}
      <button
        type="button"
        className={`btn ghost small ${open ? 'on' : ''}`}
        aria-expanded={open}
        aria-label="Recordings"
        title="Recordings on this server"
        data-testid="recordings-toggle"
        onClick={() => setOpen(!open)}
      >
        ▾
      </button>
      {open ? (
        <div className="record-panel" data-testid="recordings-panel">
          <div className="record-panel-head">
            <strong>Recordings</strong>
            <span className="faint">in the server's data dir · replay with serve --replay FILE</span>
          </div>
          {recording ? (
            <div className="small">
              Recording <span className="mono">{recording.name}</span>: {recording.messages} messages, {recording.topics} topics,{' '}
              {recording.keyframes} keyframes{recording.redacted ? ', redacted' : ''} · started by {recording.actor}
            </div>
          ) : last ? (
            <div className={`small ${last.failure ? 'bad' : ''}`} data-testid="recording-last">
              Last: <span className="mono">{last.name}</span> {END_WORDS[last.ended] ?? last.ended}
              {last.failure ? ` (${last.failure.errno})` : ''}
            </div>
          ) : null}
          <RecordingsList files={files} error={listError} />
        </div>
      ) : null}
    </div>
  );
}
