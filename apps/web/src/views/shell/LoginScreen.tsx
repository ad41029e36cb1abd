/**
 * Shown when there is no valid token: paste one, or open the URL `vfioscope
 * serve` printed. It says why it is shown (a first visit is no error) and
 * where the token is: a server that made its own keeps it in
 * <data-dir>/session-token, which GET /health names.
 */
import { useEffect, useState } from 'react';
import { fetchHealth } from '../../api/health.ts';
import type { ApiError } from '../../api/rest.ts';
import type { SignedOutReason } from '../../app/session.tsx';

const HEADLINE: Record<SignedOutReason, string> = {
  none: 'Sign in',
  refused: 'Sign in',
  expired: 'Signed out',
  unreachable: 'Waiting for the server',
};

function Why({ reason }: { reason: SignedOutReason }) {
  if (reason === 'expired')
    return (
      <p data-testid="login-why">
        The server no longer accepts this page's token: it restarted with a new one, or the token was revoked. Sign in again to carry on.
      </p>
    );
  if (reason === 'unreachable')
    return (
      <p data-testid="login-why">
        vfioscope at <code>{window.location.host}</code> does not answer; trying again every few seconds.
      </p>
    );
  return null;
}

function TokenLocation({ file }: { file: string | null }) {
  if (file)
    return (
      <p className="login-where" data-testid="login-token-location">
        The token is in <code className="path">{file}</code> on the server, or open the login URL <code>vfioscope serve</code> printed.
      </p>
    );
  return (
    <p className="login-where" data-testid="login-token-location">
      Ask for a token, or open the login URL that <code>vfioscope serve</code> printed.
    </p>
  );
}

export function LoginScreen({
  reason,
  error,
  onSignIn,
}: {
  reason: SignedOutReason;
  error: ApiError | null;
  onSignIn: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  const [tokenFile, setTokenFile] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fetchHealth().then((h) => {
      if (live) setTokenFile(h?.sessionTokenFile ?? null);
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="login" data-testid="login" data-reason={reason}>
      <form
        className="panel login-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onSignIn(token);
        }}
      >
        <div className="brand">
          <span className="logo">◈</span> vfioscope
        </div>
        <h1 data-testid="login-headline">{HEADLINE[reason]}</h1>
        <Why reason={reason} />
        <TokenLocation file={tokenFile} />
        {/* an error only for a token somebody gave and the server refused */}
        {reason === 'refused' && error ? (
          <div className="answer err" data-testid="login-error">
            <span className="errno">{error.errno}</span> {error.message}
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="token">Token</label>
          {/* biome-ignore-start lint/a11y/noAutofocus: the sign-in screen's only field; the user opened it to type the token here */}
          <input
            id="token"
            className="mono"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoFocus
            data-testid="login-token"
          />
          {/* biome-ignore-end lint/a11y/noAutofocus: see above */}
        </div>
        <button className="btn primary login-submit" type="submit" data-testid="login-submit">
          Sign in
        </button>
      </form>
    </div>
  );
}
