/** Entry point: take the login token from the URL, then mount the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { captureTokenFromUrl } from './api/auth.ts';
import { SessionProvider } from './app/session.tsx';
import { App } from './app/App.tsx';
import './styles/base.css';
import './styles/components.css';
import './styles/views.css';

captureTokenFromUrl();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
