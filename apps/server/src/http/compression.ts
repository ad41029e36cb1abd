/**
 * Response compression (@fastify/compress), by the request's Accept-Encoding:
 * brotli, else gzip, else none. It applies to every route registered after
 * it: the REST API's JSON, /metrics (Prometheus scrapes with gzip), the
 * OpenAPI document. What it leaves alone:
 * - bodies under 1 KiB, and any answer that already carries a
 *   Content-Encoding: the UI's files are compressed once, when the web UI is
 *   built (apps/web/vite.config.ts writes NAME.br and NAME.gz beside each
 *   asset), and @fastify/static sends those as they are (web/static.ts), so
 *   the server spends no CPU on them — it runs on the host it watches;
 * - the WebSocket stream (an upgraded connection has no HTTP body; its
 *   frames are not compressed);
 * - request bodies: a compressed request body is not inflated (the plugin's
 *   request decompression stays off), so a small body cannot unpack to a
 *   large one.
 * Compression on the fly uses the plugin's brotli quality 4 (zlib's 11 costs
 * ~100× the CPU for ~15 % fewer bytes); a client that sends
 * `x-no-compression` gets the body as it is. `serve --no-compress` leaves all
 * of it off (e.g. behind a proxy that compresses).
 */
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/** Register before any route: the plugin hooks each route as it is added. */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, { encodings: ['br', 'gzip'], globalDecompression: false });
}
