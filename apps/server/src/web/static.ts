/**
 * The web UI at `/`: the built bundle from apps/web/dist (or --web-dir) when
 * it exists, otherwise a small page saying how to build it. Public routes,
 * declared here like every other route (no plugin registers routes of its
 * own): index.html at `/`, a file of the bundle when the path names one, a
 * JSON 404 for everything else. The UI routes by the URL's hash
 * (`/#/device/0000:00:03.0`), so no other path needs to answer with the
 * page. Files are only ever read from the bundle's directory, and source
 * maps are never served (the build writes none either: vite.config.ts).
 *
 * Caching: Vite names every file under `assets/` after its content, so a
 * browser may keep those for a year without asking again (`immutable`);
 * everything else — index.html, which names the current assets — is
 * `no-cache`: kept, but revalidated (ETag / Last-Modified, a 304 when
 * unchanged) on every load, so a new build is seen at once.
 *
 * Compression: the build writes NAME.br and NAME.gz beside each asset
 * (vite.config.ts); with `preCompressed` the one the request's
 * Accept-Encoding prefers is sent as it is, with Content-Encoding and
 * `Vary: accept-encoding`. A file without such a copy is compressed on the
 * fly by @fastify/compress like any other answer (http/compression.ts).
 * The copies themselves are not files of the bundle: a path naming one is a
 * 404.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { API_PREFIX } from '@vfioscope/protocol';
import { notFoundHandler } from '../errors.ts';

export const DEFAULT_WEB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../web/dist');

const STUB = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vfioscope</title></head>
<body><h1>vfioscope</h1>
<p>The server is running, but the web UI is not built.</p>
<p>Build it with <code>pnpm --filter @vfioscope/web build</code> (it lands in <code>apps/web/dist</code>) and reload,
or point the server at a built copy with <code>--web-dir DIR</code>.</p>
<p>The API is live meanwhile: <code>${API_PREFIX}/health</code>, <code>${API_PREFIX}/topology</code>,
the stream at <code>${API_PREFIX}/stream</code>, and <code>/metrics</code>.</p>
</body></html>
`;

const PUBLIC = { config: { role: 'public' as const } };

/** A year, in ms (what @fastify/send takes): the longest max-age caches are asked to honour (RFC 9111 §5.2.2.1). */
const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Content-hashed by Vite: never changes under its name. */
const HASHED = { maxAge: YEAR_MS, immutable: true };
/** Revalidated on every use. */
const REVALIDATE = { cacheControl: false };
const NO_CACHE = 'no-cache';

export async function registerWeb(
  app: FastifyInstance,
  webDir: string | null,
  opts: { preCompressed: boolean } = { preCompressed: true },
): Promise<'bundle' | 'stub'> {
  const dir = resolve(webDir ?? DEFAULT_WEB_DIR);
  const hasBundle = existsSync(join(dir, 'index.html'));
  app.setNotFoundHandler(notFoundHandler);
  if (!hasBundle) {
    app.get('/', PUBLIC, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', NO_CACHE).send(STUB));
    return 'stub';
  }
  await app.register(fastifyStatic, { root: dir, serve: false, preCompressed: opts.preCompressed });

  const send = (reply: FastifyReply, file: string) =>
    file.startsWith('assets/')
      ? reply.sendFile(file, dir, HASHED)
      : reply.header('cache-control', NO_CACHE).sendFile(file, dir, REVALIDATE);
  app.get('/', PUBLIC, async (_req, reply) => send(reply.type('text/html; charset=utf-8'), 'index.html'));
  app.get('/*', PUBLIC, async (req: FastifyRequest, reply: FastifyReply) => {
    const file = bundleFile(dir, (req.params as { '*'?: string })['*'] ?? '');
    return file ? send(reply, file) : notFoundHandler(req, reply);
  });
  return 'bundle';
}

/**
 * The bundle file a path names, relative to the bundle (with `/`), or null: outside it, missing, a
 * directory, a source map, a precompressed copy.
 */
function bundleFile(dir: string, path: string): string | null {
  if (path === '') return null;
  const abs = resolve(dir, normalize(path).replace(/^(\.\.(\/|\\|$))+/, ''));
  if (!abs.startsWith(dir + sep) || /\.(map|br|gz)$/.test(abs)) return null;
  try {
    return statSync(abs).isFile() ? relative(dir, abs).split(sep).join('/') : null;
  } catch {
    return null;
  }
}
