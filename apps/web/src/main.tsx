/**
 * Entry point: take the login token from the URL, start what the first view
 * waits for, then mount the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { captureTokenFromUrl } from './api/auth.ts';
import { askWhoamiEarly, SessionProvider } from './app/session.tsx';
import { App } from './app/App.tsx';
import { parseRoute } from './app/router.ts';
import { openEarlyStream } from './host/early-stream.ts';
import './styles/base.css';
import './styles/components.css';
import './styles/views.css';
import './styles/replay.css';

captureTokenFromUrl();
// Before the first render, with the token just taken: GET /whoami and the linked view's stream start now,
// side by side, instead of /whoami waiting for the shell's first commit (an effect) and the stream for
// the session (bench/first-view.bench.ts: "where the time goes").
askWhoamiEarly();
openEarlyStream(parseRoute(window.location.hash));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
