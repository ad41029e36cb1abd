/**
 * The Record button's routes: start and stop the server's own recording
 * (operator actions, audited like any), its progress, the recordings in the
 * data dir and one of them as a download (viewer reads).
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { routes } from '@vfioscope/protocol';
import { actorOf } from '../audit/actor.ts';
import { registerRoute } from '../http/route-registry.ts';
import type { ServerRecordings } from '../recording/server-recordings.ts';

export function registerRecordingRoutes(app: FastifyInstance, recordings: ServerRecordings): void {
  registerRoute(app, routes.recordingStatus, async () => recordings.status());

  registerRoute(app, routes.recordingStart, async (req) => {
    recordings.start(req.body, actorOf(req));
    return recordings.status();
  });

  registerRoute(app, routes.recordingStop, async (req) => ({ recording: await recordings.stop('stopped', actorOf(req)) }));

  registerRoute(app, routes.recordings, async () => ({ recordings: recordings.list() }));

  registerRoute(app, routes.recordingDownload, async (req, reply) => {
    const file = recordings.file(req.params.name);
    void reply
      .type('application/gzip')
      .header('content-disposition', `attachment; filename="${req.params.name}"`)
      .header('content-length', file.bytes)
      .header('cache-control', 'no-store');
    // streamed as it is on disk (an hour is megabytes); the one being written is sent up to its size now,
    // a cut its reader drops at the last whole line. The route's response schema describes these bytes.
    if (file.bytes === 0) return reply.send(Buffer.alloc(0)) as unknown as string;
    return reply.send(createReadStream(file.path, { end: file.bytes - 1 })) as unknown as string;
  });
}
