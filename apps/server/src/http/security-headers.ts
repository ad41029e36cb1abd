/**
 * Headers every response carries. The UI is a built bundle of same-origin
 * files with no inline script or style, so the policy can be strict: a page
 * injected with markup still cannot run script, frame us, or send data
 * anywhere but back to this server. `connect-src 'self'` covers the
 * WebSocket on the same host and port (CSP 3 matches ws:/wss: to 'self').
 * The favicon is a data: URI, hence `img-src data:`.
 */
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function registerSecurityHeaders(app: FastifyInstance, opts: { tls: boolean }): void {
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  if (opts.tls) headers['strict-transport-security'] = 'max-age=31536000';
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.headers(headers);
    return payload;
  });
}
