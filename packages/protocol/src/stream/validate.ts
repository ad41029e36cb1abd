/**
 * Validation at the socket edge, for both ends: the server checks every
 * client message before anything else touches it, and a client may check
 * what it receives. Uses TypeBox's interpreter (no code generation, so it
 * also runs under a strict Content-Security-Policy in the browser).
 */
import type { Static, TSchema } from '@sinclair/typebox';
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

const DISCRIMINATORS = ['type', 'kind'] as const;

/**
 * The one union member a message claims to be by its `type` (and `kind`), so
 * an error names the field at fault ("topics.0") instead of "Expected union
 * value"; the whole union when the claim matches none or several.
 */
function claimedVariant(schema: TSchema, value: unknown): TSchema {
  if (typeof value !== 'object' || value === null) return schema;
  const v = value as Record<string, unknown>;
  const flat = (s: TSchema): TSchema[] => ('anyOf' in s ? (s.anyOf as TSchema[]).flatMap(flat) : [s]);
  const matches = flat(schema).filter((s) =>
    DISCRIMINATORS.every((k) => {
      const c = (s.properties as Record<string, TSchema> | undefined)?.[k]?.const;
      return c === undefined || c === v[k];
    }),
  );
  return matches.length === 1 ? matches[0]! : schema;
}

function check<T>(schema: typeof ClientMessage | typeof ServerMessage, raw: string): Parsed<T> {
  const d = decode(raw);
  if (!d.ok) return { ok: false, message: 'message is not JSON' };
  if (Value.Check(schema, d.value)) return { ok: true, value: d.value as T };
  const first = Value.Errors(claimedVariant(schema, d.value), d.value).First();
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

/**
 * A decoded frame as a ServerMessage, or null: what a client checks before
 * its store touches anything (a frame that is not one is dropped; the next
 * snapshot heals the state).
 */
export function asServerMessage(value: unknown): ServerMessage | null {
  return Value.Check(ServerMessage, value) ? value : null;
}

export function parseServerMessage(raw: string): Parsed<ServerMessage> {
  return check<ServerMessage>(ServerMessage, raw);
}

/** Does a value conform to a protocol schema? (tests, and clients checking a REST answer) — and then it is of the schema's type. */
export function conforms<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return Value.Check(schema, value);
}
