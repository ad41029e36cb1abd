/**
 * HTTP/1.1 written byte for byte on a TCP socket: what fetch() would
 * normalise away — absolute-form request targets ("GET http://x/api/v1/…"),
 * raw percent-escapes, missing or foreign Host headers, garbage request
 * lines — goes out exactly as written. One request per connection.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(port: number, request: string | Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((res, rej) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      rej(new Error(`no answer within ${timeoutMs} ms to ${String(request).slice(0, 80)}`));
    }, timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => undefined); // the server may close first; the answer already read counts
    sock.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = end < 0 ? '' : text.slice(end + 4);
      if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
      res({ status, headers, body });
    });
    sock.write(request);
  });
}

function unchunk(s: string): string {
  let out = '';
  let rest = s;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) return out;
    const n = parseInt(rest.slice(0, nl), 16);
    if (!(n > 0)) return out;
    out += rest.slice(nl + 2, nl + 2 + n);
    rest = rest.slice(nl + 2 + n + 2);
  }
}

/** A request with Connection: close and the given head lines; a body gets its Content-Length. */
export function httpRequest(method: string, target: string, headers: Record<string, string>, body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'];
  if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}
