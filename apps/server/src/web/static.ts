/**
 * The web UI at `/`: the built bundle from apps/web/dist (or --web-dir) when
 * it exists, otherwise a small page saying how to build it. Public routes,
 * declared here like every other route (no plugin registers routes of its
 * own): index.html at `/`, a file of the bundle when the path names one, a
 * JSON 404 for everything else. The UI routes by the URL's hash
 * (`/#/device/0000:00:03.0`), so no other path needs to answer with the
 * page. Files are only ever read from the bundle's directory, and source
 * maps are never served.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
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

export async function registerWeb(app: FastifyInstance, webDir: string | null): Promise<'bundle' | 'stub'> {
  const dir = resolve(webDir ?? DEFAULT_WEB_DIR);
  const hasBundle = existsSync(join(dir, 'index.html'));
  app.setNotFoundHandler(notFoundHandler);
  if (!hasBundle) {
    app.get('/', PUBLIC, async (_req, reply) => reply.type('text/html; charset=utf-8').send(STUB));
    return 'stub';
  }
  await app.register(fastifyStatic, { root: dir, serve: false });

  app.get('/', PUBLIC, async (_req, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html', dir));
  app.get('/*', PUBLIC, async (req: FastifyRequest, reply: FastifyReply) => {
    const file = bundleFile(dir, (req.params as { '*'?: string })['*'] ?? '');
    return file ? reply.sendFile(file, dir) : notFoundHandler(req, reply);
  });
  return 'bundle';
}

/** The bundle file a path names, relative to the bundle, or null (outside it, missing, a directory, a source map). */
function bundleFile(dir: string, path: string): string | null {
  if (path === '' || path.endsWith('.map')) return null;
  const rel = normalize(path).replace(/^(\.\.(\/|\\|$))+/, '');
  const abs = resolve(dir, rel);
  if (!abs.startsWith(dir + sep)) return null;
  try {
    return statSync(abs).isFile() ? rel : null;
  } catch {
    return null;
  }
}
