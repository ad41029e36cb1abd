/**
 * Open… on the replay's timeline bar (an operator's): another recording file
 * from this computer is sent to the server (POST /replay/open) and replayed
 * from its start, for everyone watching. The page then loads again, so that
 * every view starts from the new recording rather than mixing two hosts.
 */
import { useState } from 'react';
import { REPLAY_UPLOAD_LIMIT_BYTES } from '@vfioscope/protocol';
import { api, ApiError } from '../api/rest.ts';
import { formatBytes } from '../format/units.ts';

export function OpenRecording() {
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const open = async (file: File) => {
    setError(null);
    if (file.size > REPLAY_UPLOAD_LIMIT_BYTES) {
      setError(`E2BIG: ${file.name} is ${formatBytes(file.size)}; a replay opens at most ${formatBytes(REPLAY_UPLOAD_LIMIT_BYTES)}`);
      return;
    }
    setOpening(`Opening ${file.name} (${formatBytes(file.size)})…`);
    try {
      await api.call('replayOpen', { query: { name: file.name }, body: file });
      window.location.reload();
    } catch (e) {
      setOpening(null);
      setError(e instanceof ApiError ? `${e.errno}: ${e.message}` : String(e));
    }
  };

  return (
    <span className="replay-open">
      <label title="replay another recording (vfioscope record, the Record button) from this computer">
        Open…
        <input
          type="file"
          data-testid="replay-open-file"
          accept=".vfr,.gz,application/gzip"
          disabled={opening !== null}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void open(file);
          }}
        />
      </label>
      {opening ? <span data-testid="replay-opening">{opening}</span> : null}
      {error ? (
        <span className="replay-error" role="alert" data-testid="replay-open-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
