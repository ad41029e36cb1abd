/**
 * The web UI at `/`: the built bundle from apps/web/dist (or --web-dir) when
 * it exists, with unknown non-API paths falling back to index.html for the
 * UI's own routing; otherwise a small page saying how to build it. Files are
 * only ever read from there.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { API_PREFIX } from '@vfioscope/protocol';
import { notFoundHandler } from '../errors.ts';

export const DEFAULT_WEB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../web/dist');

const STUB = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vfioscope</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>vfioscope</h1>
<p>The server is running, but the web UI is not built.</p>
<p>Build it with <code>pnpm --filter @vfioscope/web build</code> (it lands in <code>apps/web/dist</code>) and reload,
or point the server at a built copy with <code>--web-dir DIR</code>.</p>
<p>The API is live meanwhile: <code>${API_PREFIX}/health</code>, <code>${API_PREFIX}/topology</code>,
the stream at <code>${API_PREFIX}/stream</code>, and <code>/metrics</code>.</p>
</body></html>
`;

export async function registerWeb(app: FastifyInstance, webDir: string | null): Promise<'bundle' | 'stub'> {
  const dir = webDir ?? DEFAULT_WEB_DIR;
  const hasBundle = existsSync(join(dir, 'index.html'));
  if (hasBundle) {
    await app.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: true });
  } else {
    app.get('/', { config: { role: 'public' } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(STUB));
  }
  // UI routes (no file extension; BDFs like 0000:00:03.0 end in digits) get index.html, missing assets a 404
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (hasBundle && req.method === 'GET' && !path.startsWith(API_PREFIX) && path !== '/metrics' && !/\.[a-z][a-z0-9]*$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return notFoundHandler(req, reply);
  });
  return hasBundle ? 'bundle' : 'stub';
}
