/**
 * The WebSocket Origin check. Browsers attach cookies to cross-site WebSocket
 * handshakes, so without it any page the operator visits could drive the
 * hardware through the login cookie. Allowed: no Origin (non-browser clients,
 * which must present a token anyway), an Origin whose host equals the
 * request's Host, or one on the configured allow-list.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowList.includes('*') || allowList.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return hostHeader !== undefined && url.host.toLowerCase() === hostHeader.toLowerCase();
}
