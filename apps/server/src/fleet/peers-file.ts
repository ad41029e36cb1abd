/**
 * `serve --peers FILE`: the other vfioscope servers this one fronts, as a
 * JSON array
 *
 *   [{ "name": "gpu-07", "url": "https://gpu-07.lab:7070",
 *      "tokenFile": "/etc/vfioscope/gpu-07.token", "ca": "/etc/vfioscope/ca.pem" }]
 *
 * read once at startup and refused whole on the first bad entry, with the
 * entry and field named: a fleet that silently lacks a host is worse than a
 * server that does not start. Relative paths are taken from the peers file's
 * directory. The token stays in this process (never in an answer); `ca`
 * (optional) is the PEM bundle the peer's TLS certificate is checked
 * against, instead of the system's.
 *
 * A peer reached over plain http off loopback would carry its token in
 * clear: refused unless the entry says `"insecureHttp": true`, as `serve
 * --insecure-http` must be said for the listening side.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HOST_NAME_PATTERN } from '@vfioscope/protocol';
import { isLoopback } from '../config.ts';

export interface PeerConfig {
  name: string;
  /** the peer's origin: scheme, host and port, no path */
  url: URL;
  /** the bearer token this server presents to the peer (a hub token there: "hub:TOKEN") */
  token: string;
  /** PEM CA bundle for the peer's certificate; null: the system's CAs */
  ca: Buffer | null;
}

const FIELDS = new Set(['name', 'url', 'tokenFile', 'ca', 'insecureHttp']);
const NAME_RE = new RegExp(HOST_NAME_PATTERN);

export class PeersFileError extends Error {}

/** Read and check a peers file; `selfName` (this server's own name) may not be a peer's. */
export function loadPeersFile(path: string, selfName: string): PeerConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PeersFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePeersFile(text, { file: path, baseDir: dirname(resolve(path)), selfName });
}

export function parsePeersFile(
  text: string,
  {
    file,
    baseDir,
    selfName,
    readFile = readFileSync,
  }: { file: string; baseDir: string; selfName: string; readFile?: (p: string) => Buffer },
): PeerConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PeersFileError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new PeersFileError(`${file}: expected a JSON array of peers [{"name", "url", "tokenFile", "ca"?}]`);
  const seen = new Map<string, number>([[selfName.toLowerCase(), -1]]);
  return parsed.map((item, i) => {
    const where = (field?: string) => {
      const name = typeof (item as { name?: unknown } | null)?.name === 'string' ? ` ("${(item as { name: string }).name}")` : '';
      return `${file}: peers[${i}]${name}${field ? `.${field}` : ''}`;
    };
    const fail = (field: string | undefined, message: string): never => {
      throw new PeersFileError(`${where(field)}: ${message}`);
    };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(undefined, 'must be an object');
    const e = item as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!FIELDS.has(k)) fail(k, `unknown field (expected ${[...FIELDS].join(', ')})`);

    const name = e.name;
    if (typeof name !== 'string' || !NAME_RE.test(name))
      return fail('name', 'must be 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit');
    const clash = seen.get(name.toLowerCase());
    if (clash !== undefined)
      fail('name', clash < 0 ? `"${name}" is this server's own name (--name)` : `"${name}" is also the name of peers[${clash}]`);
    seen.set(name.toLowerCase(), i);

    if (typeof e.url !== 'string') return fail('url', 'must be a string like "https://gpu-07.lab:7070"');
    let url: URL;
    try {
      url = new URL(e.url);
    } catch {
      return fail('url', `"${e.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url', `must be http:// or https://, got ${url.protocol}`);
    if (url.username || url.password) fail('url', 'must not carry credentials (the token comes from tokenFile)');
    if (url.pathname !== '/' || url.search || url.hash) fail('url', "must be the server's origin only (no path, query or fragment)");
    if (e.insecureHttp !== undefined && typeof e.insecureHttp !== 'boolean') fail('insecureHttp', 'must be true or false');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.protocol === 'http:' && !isLoopback(host) && e.insecureHttp !== true)
      fail(
        'url',
        `http:// to ${host} would send the token in clear: use https:// (with "ca" for a private CA), or set "insecureHttp": true`,
      );

    if (typeof e.tokenFile !== 'string' || e.tokenFile === '') return fail('tokenFile', 'must be the path of a file holding the token');
    const tokenPath = resolve(baseDir, e.tokenFile);
    let token: string;
    try {
      token = readFile(tokenPath).toString('utf8').trim();
    } catch (err) {
      return fail('tokenFile', `cannot read ${tokenPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!/^[\x21-\x7e]{8,}$/.test(token)) fail('tokenFile', `${tokenPath} must hold one token (8 or more printable characters, no spaces)`);

    let ca: Buffer | null = null;
    if (e.ca !== undefined) {
      if (typeof e.ca !== 'string' || e.ca === '') return fail('ca', 'must be the path of a PEM file');
      if (url.protocol !== 'https:') fail('ca', 'is only used with an https:// url');
      const caPath = resolve(baseDir, e.ca);
      try {
        ca = readFile(caPath);
      } catch (err) {
        return fail('ca', `cannot read ${caPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) fail('ca', `${caPath} is not a PEM certificate file`);
    }
    return { name, url: new URL(url.origin), token, ca };
  });
}
