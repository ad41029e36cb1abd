/**
 * A server that replays a recording: its timeline routes, and the rule that
 * it is read-only — every action answers EROFS, and the host's own reads
 * (which would describe this machine, not the recorded one) answer ENODATA;
 * what the recorded host said is on the stream.
 */
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RECORDING_MEDIA_TYPE, REPLAY_UPLOAD_LIMIT_BYTES, routes, type ReplayResponse } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import { registerRoute } from '../http/route-registry.ts';
import { recordedHistory } from './recorded-history.ts';
import { indexRecording, type RecordingIndex } from './recording-index.ts';
import type { ReplayHub } from './replay-hub.ts';

/** what a replaying server still answers (besides its stream, its UI's files and public pages) */
const REPLAY_ROUTES = new Set<string>([
  routes.health.path,
  routes.whoami.path,
  routes.openapi.path,
  routes.stream.path,
  routes.replay.path,
  routes.replayControl.path,
  routes.replayOpen.path,
  // the report reads the recording (report/replay-report-source.ts)
  routes.report.path,
]);

/** What a server replays; `file` and `index` change when another recording is opened (POST /replay/open). */
export interface Replay {
  file: string;
  index: RecordingIndex;
  hub: ReplayHub;
}

/**
 * The one body this API takes that is not JSON: a recording's bytes, to POST /replay/open only (a gzip body
 * anywhere else is refused as the unsupported media type it is there). Registered on live servers too, so
 * that a recording sent to one hears ENODATA, not 415.
 */
export function registerRecordingBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser(RECORDING_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: REPLAY_UPLOAD_LIMIT_BYTES }, (req, body, done) => {
    if (req.routeOptions.url !== routes.replayOpen.path)
      return done(
        new ApiProblem(
          'EVALIDATION',
          `content-type: ${RECORDING_MEDIA_TYPE} is only taken by POST ${routes.replayOpen.path}`,
          'content-type',
          415,
        ),
        undefined,
      );
    done(null, body);
  });
}

/** The recording a POST /replay/open carries, indexed; EVALIDATION naming the body when it is not one. */
function uploadedRecording(body: unknown): RecordingIndex {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new ApiProblem('EVALIDATION', `body: a recording file's bytes, sent as ${RECORDING_MEDIA_TYPE}`, 'body', 415);
  try {
    return indexRecording(body);
  } catch (e) {
    throw new ApiProblem('EVALIDATION', `body: not a vfioscope recording this server can read: ${(e as Error).message}`, 'body');
  }
}

export function registerReplay(app: FastifyInstance, replay: Replay): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.is404 || REPLAY_ROUTES.has(req.routeOptions.url ?? '')) return;
    // the charts' history: the recording's, up to the position
    if (req.routeOptions.url === routes.irqHistory.path) {
      const q = req.query as { key?: string; resolution?: string };
      if (typeof q.key !== 'string' || q.key.length > 64)
        throw new ApiProblem('EVALIDATION', 'key: a vector key "bdf/index/vector"', 'key');
      const resolution = q.resolution === '1s' ? '1s' : 'tick';
      const points = recordedHistory(replay.index, replay.hub.state().position, q.key, resolution);
      return reply.send({ key: q.key, resolution, points });
    }
    if (req.routeOptions.config.action !== undefined)
      throw new ApiProblem(
        'EROFS',
        `this server replays the recording ${basename(replay.file)}: it is read-only, nothing can be done to a host`,
      );
    if (req.routeOptions.config.role !== 'public')
      throw new ApiProblem(
        'ENODATA',
        `this server replays the recording ${basename(replay.file)}: the recorded host's state is on the stream`,
      );
  });

  const answer = (): ReplayResponse => ({
    file: basename(replay.file),
    header: replay.index.header,
    ended: replay.index.end,
    state: replay.hub.state(),
    marks: replay.index.marks,
  });
  registerRoute(app, routes.replay, async () => answer());
  registerRoute(app, routes.replayControl, async (req) => {
    const { playing, speed, seek } = req.body;
    replay.hub.control({ ...(playing !== undefined ? { playing } : {}), ...(speed !== undefined ? { speed } : {}) });
    // after play/pause: a seek lands exactly where asked
    if (seek !== undefined) replay.hub.seek(seek);
    return answer();
  });
  registerRoute(app, routes.replayOpen, async (req) => {
    const index = uploadedRecording(req.body);
    replay.file = req.query.name;
    replay.index = index;
    replay.hub.open(index);
    return answer();
  });
}

/** A live server's answer to the timeline routes: there is no recording here. */
export function registerLiveReplayRoutes(app: FastifyInstance): void {
  const live = async (): Promise<never> => {
    throw new ApiProblem('ENODATA', 'this server shows a live host, not a recording (serve --replay FILE replays one)');
  };
  registerRoute(app, routes.replay, live);
  registerRoute(app, routes.replayControl, live);
  registerRoute(app, routes.replayOpen, live);
}
