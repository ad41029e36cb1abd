/**
 * The login token. `vfioscope serve` prints a URL carrying `?token=…`; the
 * token is kept in sessionStorage (gone when the tab closes) and removed from
 * the address bar so it does not end up in history or screenshots.
 */
const KEY = 'vfioscope.token';

export function captureTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  sessionStorage.setItem(KEY, token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export function authToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setAuthToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

/*
 * A 401 anywhere means the server no longer accepts this page's token (it
 * restarted with another one, or the token was revoked): the session turns
 * that into "signed out" instead of each view failing on its own.
 */
const unauthorizedListeners = new Set<() => void>();

export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function reportUnauthorized(): void {
  for (const fn of unauthorizedListeners) fn();
}
