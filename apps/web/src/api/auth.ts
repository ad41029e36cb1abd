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
