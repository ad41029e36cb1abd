/**
 * The REST client for /api/v1. Failures come back as `{ error: { errno,
 * message, field, hint } }`; they surface as ApiError so the UI can show the
 * kernel's errno name and message where the action was taken, and the way
 * out the server knows (hint) as something to act on.
 */
import type { ErrorBody, ProblemHint } from '@vfioscope/protocol';
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

type LooseErrorBody = { error?: Partial<ErrorBody['error']> };

function headers(json: boolean): HeadersInit {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  const token = authToken();
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'ECONNREFUSED', `server unreachable: ${(e as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      if (!res.ok) throw new ApiError(res.status, statusErrno(res.status), text.slice(0, 200));
      throw new ApiError(res.status, 'EPROTO', 'response is not JSON');
    }
  }
  if (res.status === 401) reportUnauthorized();
  if (!res.ok) {
    const err = (parsed as LooseErrorBody | undefined)?.error;
    throw new ApiError(res.status, err?.errno ?? statusErrno(res.status), err?.message ?? res.statusText, err?.field, err?.hint);
  }
  return parsed as T;
}

function statusErrno(status: number): string {
  if (status === 401) return 'EAUTH';
  if (status === 403) return 'EFORBIDDEN';
  if (status === 404) return 'ENOTFOUND';
  return 'EIO';
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const del = <T>(path: string, body?: unknown) => api<T>('DELETE', path, body);
