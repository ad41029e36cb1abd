/**
 * A file from a read route saved by the browser: fetched with the session's
 * token in the Authorization header (never in the URL, where it would stay
 * in the browser's list of downloads), then handed to the browser as a
 * download under its own name.
 */
import { type ApiRequest, ErrorBody, conforms } from '@vfioscope/protocol';
import { authToken, reportUnauthorized } from './auth.ts';
import { ApiError } from './rest.ts';

export async function downloadFile(req: Pick<ApiRequest, 'url'>, fileName: string): Promise<void> {
  const token = authToken();
  let res: Response;
  try {
    res = await fetch(req.url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw new ApiError(0, 'ECONNREFUSED', `server unreachable: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) {
    if (res.status === 401) reportUnauthorized();
    const body: unknown = await res.json().catch(() => null);
    if (conforms(ErrorBody, body)) throw new ApiError(res.status, body.error.errno, body.error.message, body.error.field);
    throw new ApiError(res.status, 'EIO', res.statusText);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // the browser has taken the file once the click is handled
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
