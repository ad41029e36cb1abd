/**
 * The state of one user action (a REST call): idle, pending, done with the
 * server's answer, or failed with the kernel's errno. Keeps the latest answer
 * on screen next to the control that caused it.
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../api/rest.ts';

export type ActionState<T> =
  | { status: 'idle' }
  | { status: 'pending' }
  | { status: 'ok'; value: T; message: string; at: number }
  | { status: 'error'; error: ApiError; at: number };

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(0, 'EINTERNAL', e instanceof Error ? e.message : String(e));
}

export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>, describe: (value: T, ...args: A) => string = () => 'OK') {
  const [state, setState] = useState<ActionState<T>>({ status: 'idle' });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const describeRef = useRef(describe);
  describeRef.current = describe;
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    setState({ status: 'pending' });
    try {
      const value = await fnRef.current(...args);
      setState({ status: 'ok', value, message: describeRef.current(value, ...args), at: Date.now() });
      return value;
    } catch (e) {
      setState({ status: 'error', error: toApiError(e), at: Date.now() });
      return undefined;
    }
  }, []);
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return { state, run, reset, setState };
}
