/** Shown when there is no valid token: paste one, or open the URL `vfioscope serve` printed. */
import { useState } from 'react';
import type { ApiError } from '../../api/rest.ts';

export function LoginScreen({ error, onSignIn }: { error: ApiError | null; onSignIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <div className="login" data-testid="login">
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
        <p className="muted">
          Open the login URL that <code>vfioscope serve</code> printed, or paste a token.
        </p>
        {error ? (
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
