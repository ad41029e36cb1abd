/**
 * Bearer tokens and their roles. viewer: read and stream; operator: every
 * action. Tokens are compared in constant time and never logged: the audit
 * log names a token by its id (the name given in the token file, or a short
 * hash).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Role } from '@vfioscope/protocol';

export interface TokenEntry {
  token: string;
  role: Role;
  /** public name for logs */
  id: string;
}

export interface Principal {
  role: Role;
  tokenId: string;
}

export function tokenId(token: string): string {
  return `tok-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export class TokenStore {
  private readonly entries: { digest: Buffer; entry: TokenEntry }[] = [];

  constructor(entries: readonly { token: string; role: Role; id?: string }[]) {
    for (const e of entries) this.add(e.token, e.role, e.id);
  }

  add(token: string, role: Role, id?: string): TokenEntry {
    if (token.length < 8) throw new Error(`token for ${id ?? role} is too short (at least 8 characters)`);
    const entry: TokenEntry = { token, role, id: id ?? tokenId(token) };
    this.entries.push({ digest: digest(token), entry });
    return entry;
  }

  /** The principal a presented token stands for, or null. */
  check(presented: string | undefined | null): Principal | null {
    if (!presented) return null;
    const d = digest(presented);
    let found: TokenEntry | null = null;
    // compare against every entry so the time taken does not tell which one matched
    for (const { digest: known, entry } of this.entries) if (timingSafeEqual(known, d)) found = entry;
    return found ? { role: found.role, tokenId: found.id } : null;
  }

  list(): readonly TokenEntry[] {
    return this.entries.map((e) => e.entry);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * A token file: JSON — `[{ "token", "role", "id"? }]` or `{ "tokens": [...] }` — or
 * lines `role:token` (blank lines and `#` comments ignored).
 */
export function parseTokenFile(text: string, file = 'token file'): { token: string; role: Role; id?: string }[] {
  const trimmed = text.trim();
  const out: { token: string; role: Role; id?: string }[] = [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown }).tokens;
    if (!Array.isArray(list)) throw new Error(`${file}: expected an array of tokens or { "tokens": [...] }`);
    list.forEach((item, i) => {
      const { token, role, id } = (item ?? {}) as Record<string, unknown>;
      if (typeof token !== 'string') throw new Error(`${file}: tokens[${i}].token must be a string`);
      if (role !== 'viewer' && role !== 'operator') throw new Error(`${file}: tokens[${i}].role must be "viewer" or "operator"`);
      if (id !== undefined && typeof id !== 'string') throw new Error(`${file}: tokens[${i}].id must be a string`);
      out.push({ token, role, ...(id ? { id } : {}) });
    });
  } else {
    trimmed.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const m = /^(viewer|operator):(\S+)$/.exec(line);
      if (!m) throw new Error(`${file}:${i + 1}: expected "viewer:TOKEN" or "operator:TOKEN"`);
      out.push({ role: m[1] as Role, token: m[2]! });
    });
  }
  if (out.length === 0) throw new Error(`${file}: no tokens`);
  return out;
}

export function loadTokenFile(path: string): TokenStore {
  return new TokenStore(parseTokenFile(readFileSync(path, 'utf8'), path));
}
