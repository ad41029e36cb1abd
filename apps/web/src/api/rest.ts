/**
 * The REST client for /api/v1: `api.call(route, { params, query, body })`,
 * typed per route by the protocol's route table (createApiClient), over
 * fetch with the session's token. Failures come back as `{ error: { errno,
 * message, field, hint } }`; they surface as ApiError so the UI can show the
 * kernel's errno name and message where the action was taken, and the way
 * out the server knows (hint) as something to act on. An answer that does
 * not match its route's schema is an ApiError too (EPROTO), never data.
 */
import {
  type ApiClient,
  type ApiRequest,
  type ApiTransport,
  createApiClient,
  ErrorBody,
  type ProblemHint,
  conforms,
} from '@vfioscope/protocol';
import { authToken, reportUnauthorized } from './auth.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** kernel errno name (EEXIST, EINVAL, …) or one of the protocol's own codes (EAUTH, EVALIDATION, …) */
    readonly errno: string,
    message: string,
    /** the request field the error is about, when the server names one */
    readonly field?: string,
    /** what the server knows about the way out (the next free IOVA, what is left under RLIMIT_MEMLOCK, the mapping an unmap would split) */
    readonly hint?: ProblemHint,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function headers(contentType: string | null): HeadersInit {
  const h: Record<string, string> = { accept: 'application/json' };
  if (contentType !== null) h['content-type'] = contentType;
  const token = authToken();
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

async function send(req: ApiRequest): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: headers(req.body === undefined ? null : (req.consumes ?? 'application/json')),
      // a route that consumes bytes (a recording to replay) is sent them as they are
      body: req.body === undefined ? null : req.consumes !== undefined ? (req.body as Blob) : JSON.stringify(req.body),
    });
  } catch (e) {
    throw new ApiError(0, 'ECONNREFUSED', `server unreachable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  if (res.status === 401) reportUnauthorized();
  if (res.ok && req.produces !== undefined) return text;
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      if (!res.ok) throw new ApiError(res.status, statusErrno(res.status), text.slice(0, 200));
      throw new ApiError(res.status, 'EPROTO', 'response is not JSON');
    }
  }
  if (!res.ok) {
    if (conforms(ErrorBody, parsed)) {
      const { errno, message, field, hint } = parsed.error;
      throw new ApiError(res.status, errno, message, field, hint);
    }
    throw new ApiError(res.status, statusErrno(res.status), res.statusText);
  }
  return parsed;
}

const transport: ApiTransport = {
  send,
  mismatch: (req, message) => new ApiError(200, 'EPROTO', `${req.method} ${req.url}: ${message}`),
};

/**
 * Every route of the protocol, typed: `await client.call('map', { params: { id }, body })`,
 * on this server's own host or, with `host`, on that host of the fleet it fronts.
 */
export function createRestClient(host?: string): ApiClient {
  return createApiClient(transport, host);
}

/** This server's own routes: who the session is, its health, its fleet. Views act through their host's client (useHostClient). */
export const api = createRestClient();

function statusErrno(status: number): string {
  if (status === 401) return 'EAUTH';
  if (status === 403) return 'EFORBIDDEN';
  if (status === 404) return 'ENOTFOUND';
  return 'EIO';
}
