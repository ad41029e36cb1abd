/**
 * Validation at the socket edge, for both ends: the server checks every
 * client message before anything else touches it, and a client may check
 * what it receives. Uses TypeBox's interpreter (no code generation, so it
 * also runs under a strict Content-Security-Policy in the browser).
 */
import { Value } from '@sinclair/typebox/value';
import { ClientMessage, ServerMessage } from './messages.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; field?: string };

function decode(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function check<T>(schema: typeof ClientMessage | typeof ServerMessage, raw: string): Parsed<T> {
  const d = decode(raw);
  if (!d.ok) return { ok: false, message: 'message is not JSON' };
  if (Value.Check(schema, d.value)) return { ok: true, value: d.value as T };
  const first = Value.Errors(schema, d.value).First();
  const field = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') : '';
  return {
    ok: false,
    message: `invalid message${field ? `: ${field}` : ''}: ${first?.message ?? 'does not match the protocol'}`,
    ...(field ? { field } : {}),
  };
}

export function parseClientMessage(raw: string): Parsed<ClientMessage> {
  return check<ClientMessage>(ClientMessage, raw);
}

export function parseServerMessage(raw: string): Parsed<ServerMessage> {
  return check<ServerMessage>(ServerMessage, raw);
}

/** Does a value conform to a protocol schema? (tests, and clients checking a REST answer) */
export function conforms(schema: Parameters<typeof Value.Check>[0], value: unknown): boolean {
  return Value.Check(schema, value);
}
