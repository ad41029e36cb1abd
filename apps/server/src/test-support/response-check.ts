/**
 * Holds every answer the route tests receive to the OpenAPI document the
 * server serves: a table route's answer must validate against the schema
 * the document gives for its status, and what went out must be what the
 * handler returned — response serialization (fast-json-stringify) writes
 * only the properties a schema declares, so a field missing from a schema
 * would otherwise vanish from the wire without a word.
 */
import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyRequest } from 'fastify';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

/** Fastify's ":name" path as OpenAPI writes it ("{name}"). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The document's schema for one answer: the exact status, else its class ("4XX"), else "default". */
function answerSchema(doc: unknown, method: string, url: string, status: number, mediaType: string): object | null | undefined {
  if (typeof doc !== 'object' || doc === null || !('paths' in doc)) return undefined;
  const paths = doc.paths as Record<string, Record<string, Operation> | undefined>;
  const op = paths[openApiPath(url)]?.[method.toLowerCase()];
  if (!op) return undefined;
  const r = op.responses ?? {};
  const answer = r[String(status)] ?? r[`${String(status)[0]}XX`] ?? r[`${String(status)[0]}xx`] ?? r.default;
  if (!answer) return null;
  return answer.content?.[mediaType]?.schema ?? null;
}

export class ResponseCheck {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly sent = new WeakMap<FastifyRequest, unknown>();
  private failures: string[] = [];

  constructor(private readonly app: FastifyInstance) {
    // the handler's value as JSON.stringify would write it, before the route's serializer sees it
    app.addHook('preSerialization', async (req, _reply, payload) => {
      this.sent.set(req, JSON.parse(JSON.stringify(payload)));
      return payload;
    });
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.is404 || typeof payload !== 'string') return payload; // files of the UI, streams
      this.check(req, reply.statusCode, String(reply.getHeader('content-type') ?? ''), payload);
      return payload;
    });
  }

  /** The failures since the last call, emptied. */
  take(): string[] {
    const f = this.failures;
    this.failures = [];
    return f;
  }

  private check(req: FastifyRequest, status: number, contentType: string, payload: string): void {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const url = req.routeOptions.url;
    if (url === undefined) return;
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    const where = `${req.method} ${req.url} → ${status}`;
    const schema = answerSchema(this.app.swagger(), method, url, status, mediaType);
    if (schema === undefined) return; // not a documented route (the UI's files)
    if (schema === null) {
      this.failures.push(`${where}: the document has no ${mediaType} answer for this status`);
      return;
    }
    const body: unknown = mediaType === 'application/json' ? JSON.parse(payload) : payload;
    const key = `${method} ${url} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    if (!validate(body)) {
      const e = validate.errors?.[0];
      this.failures.push(`${where}: does not match the document at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}`);
    }
    if (this.sent.has(req) && !isDeepStrictEqual(this.sent.get(req), body)) {
      this.failures.push(`${where}: the serializer dropped or changed what the handler returned (a field missing from the schema?)`);
    }
  }
}
