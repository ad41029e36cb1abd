/**
 * One way to fail over HTTP: every error becomes { error: { errno, message,
 * field? } } with the status the protocol assigns to its problem code. A
 * kernel failure (VfioError) keeps its errno name and names the request field
 * when the host reported one; a schema failure becomes EVALIDATION naming the
 * field Ajv objected to.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isVfioError } from '@vfioscope/host';
import { httpStatusFor, type ErrorBody, type ProblemCode, type ProblemHint } from '@vfioscope/protocol';

/** A refusal decided by the server itself, before (or instead of) the backend. */
export class ApiProblem extends Error {
  constructor(
    readonly errno: ProblemCode,
    message: string,
    readonly field?: string,
    /** when the errno's usual status does not fit (a disk-full audit log is 503, not 507) */
    readonly status?: number,
    /** the way out, as data (see ProblemHint) */
    readonly hint?: ProblemHint,
  ) {
    super(message);
  }
}

export function problemBody(errno: ProblemCode | string, message: string, field?: string, hint?: ProblemHint): ErrorBody {
  return {
    error: {
      errno: errno as ProblemCode,
      message: namingField(message, field),
      ...(field !== undefined ? { field } : {}),
      ...(hint !== undefined ? { hint } : {}),
    },
  };
}

/** Every message names its field: "iova: not aligned…" unless it already says which. */
function namingField(message: string, field: string | undefined): string {
  if (field === undefined) return message;
  const leaf =
    field
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .at(-1) ?? field;
  return new RegExp(`\\b${leaf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(message) ? message : `${field}: ${message}`;
}

/** Status and body for anything thrown by a route. */
export function toProblem(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiProblem) {
    return { status: err.status ?? httpStatusFor(err.errno), body: problemBody(err.errno, err.message, err.field, err.hint) };
  }
  if (isVfioError(err)) {
    const field = typeof err.context.field === 'string' ? err.context.field : undefined;
    return { status: httpStatusFor(err.errno), body: problemBody(err.errno, `${err.op}: ${err.detail}`, field) };
  }
  const fe = err as Partial<FastifyError> & { validationContext?: string };
  if (fe && Array.isArray(fe.validation)) return validationProblem(fe as FastifyError);
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors (body too large, unsupported content type, …): their status, our format
    const errno = fe.statusCode === 404 ? 'ENOTFOUND' : fe.statusCode === 413 ? 'E2BIG' : 'EVALIDATION';
    const field =
      fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ? 'content-type' : 'body';
    return { status: fe.statusCode, body: problemBody(errno, `${field}: ${fe.message ?? 'bad request'}`, field) };
  }
  return { status: 500, body: problemBody('EINTERNAL', err instanceof Error ? err.message : String(err)) };
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string };
}

/** Name the field Ajv objected to and say what it should be. */
function validationProblem(err: FastifyError): { status: number; body: ErrorBody } {
  const part = (err as { validationContext?: string }).validationContext ?? 'body';
  const issues = (err.validation ?? []) as unknown as AjvIssue[];
  // Unions report one issue per branch; the most specific (deepest path) names the real culprit.
  const issue = [...issues].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!issue) return { status: 400, body: problemBody('EVALIDATION', err.message, part) };
  const path = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') path.push(issue.params.missingProperty);
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
    path.push(issue.params.additionalProperty);
  }
  const field = path.length ? path.join('.') : part;
  const shown = `${part}${path.length ? `.${path.join('.')}` : ''}`;
  let what: string;
  if (issue.keyword === 'required') what = 'is required';
  else if (issue.keyword === 'additionalProperties') what = 'is not a known field';
  else if (issue.keyword === 'pattern' && issue.parentSchema?.description) what = `must be ${issue.parentSchema.description}`;
  else what = issue.message ?? 'is invalid';
  return { status: 400, body: problemBody('EVALIDATION', `${shown} ${what}`, field) };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toProblem(err);
  if (status >= 500) reply.log.error({ err }, 'request failed');
  req.problem = body.error;
  void reply.status(status).send(body);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const body = problemBody('ENOTFOUND', `no route ${req.method} ${req.url.split('?')[0]?.slice(0, 200) ?? ''}`);
  req.problem = body.error;
  void reply.status(404).send(body);
}
