/**
 * Bearer tokens and their roles. viewer: read and stream; operator: every
 * action. Tokens are compared in constant time and never logged: the audit
 * log names a token by its id (the name given in the token file, or a short
 * hash).
 *
 * A hub token (`hub:TOKEN`, or role "hub" in JSON) is an operator token that
 * a vfioscope hub fronting this server (serve --peers) holds: it alone may
 * name the person it acts for (x-vfioscope-on-behalf-of), which this server
 * then writes beside the hub's token id in its audit and event logs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Role } from '@vfioscope/protocol';

export interface TokenEntry {
  token: string;
  role: Role;
  /** public name for logs */
  id: string;
  /** a hub's token: may name who it acts for */
  hub?: true;
}

export interface Principal {
  role: Role;
  tokenId: string;
  /** the token is a hub's (see above) */
  hub?: true;
  /** the person a hub acts for, as the hub named them (only ever set for a hub token) */
  onBehalfOf?: string;
}

/** What a token file line or entry gives: a token, its role, maybe an id, and whether it is a hub's. */
export interface TokenSpec {
  token: string;
  role: Role;
  id?: string;
  hub?: true;
}

export function tokenId(token: string): string {
  return `tok-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export class TokenStore {
  private readonly entries: { digest: Buffer; entry: TokenEntry }[] = [];

  constructor(entries: readonly TokenSpec[]) {
    for (const e of entries) this.add(e.token, e.role, e.id, e.hub);
  }

  add(token: string, role: Role, id?: string, hub?: true): TokenEntry {
    if (token.length < 8) throw new Error(`token for ${id ?? role} is too short (at least 8 characters)`);
    if (hub && role !== 'operator') throw new Error(`hub token ${id ?? tokenId(token)} must be an operator token`);
    const entry: TokenEntry = { token, role, id: id ?? tokenId(token), ...(hub ? { hub } : {}) };
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
    return found ? { role: found.role, tokenId: found.id, ...(found.hub ? { hub: found.hub } : {}) } : null;
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
 * lines `role:token` (blank lines and `#` comments ignored). Roles: viewer,
 * operator, and hub (an operator that may say whom it acts for).
 */
export function parseTokenFile(text: string, file = 'token file'): TokenSpec[] {
  const trimmed = text.trim();
  const out: TokenSpec[] = [];
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
      if (role !== 'viewer' && role !== 'operator' && role !== 'hub')
        throw new Error(`${file}: tokens[${i}].role must be "viewer", "operator" or "hub"`);
      if (id !== undefined && typeof id !== 'string') throw new Error(`${file}: tokens[${i}].id must be a string`);
      out.push({ token, ...roleOf(role), ...(id ? { id } : {}) });
    });
  } else {
    trimmed.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const m = /^(viewer|operator|hub):(\S+)$/.exec(line);
      if (!m) throw new Error(`${file}:${i + 1}: expected "viewer:TOKEN", "operator:TOKEN" or "hub:TOKEN"`);
      out.push({ ...roleOf(m[1] as Role | 'hub'), token: m[2]! });
    });
  }
  if (out.length === 0) throw new Error(`${file}: no tokens`);
  return out;
}

/** A hub is an operator that may name whom it acts for. */
function roleOf(role: Role | 'hub'): { role: Role; hub?: true } {
  return role === 'hub' ? { role: 'operator', hub: true } : { role };
}

export function loadTokenFile(path: string): TokenStore {
  return new TokenStore(parseTokenFile(readFileSync(path, 'utf8'), path));
}
