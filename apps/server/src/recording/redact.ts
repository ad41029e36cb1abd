/**
 * `record --redact`: what should not leave the host, taken out of every
 * recorded message so that a recording can go to a vendor —
 *   host names      "hostname" fields, and the name wherever a text repeats it → REDACTED_HOST
 *   command lines   "cmdline" fields → "(redacted)" (they carry paths, user names, disk images)
 *   user names      "actor" (who acted: a token's id, a peer's "on behalf of") → "operator-N"
 *   PIDs            every "pid" field, and "pid N" / "pid=N" / "[N]" in texts, renumbered 1000, 1001, …
 *                   in order of first sight, the same PID to the same number through the whole recording
 * The rest (BDFs, vectors, rates, kernel message kinds) is what the recording is for and stays.
 */
export const REDACTED_HOST = 'redacted-host';
const REDACTED_CMDLINE = '(redacted)';
const FIRST_PID = 1000;

export class Redactor {
  private readonly pids = new Map<number, number>();
  private readonly actors = new Map<string, string>();

  constructor(private readonly hostNames: readonly string[]) {}

  /** a message's JSON text, redacted */
  redactText(json: string): string {
    return JSON.stringify(this.value(JSON.parse(json) as unknown, ''));
  }

  pid(real: number): number {
    let n = this.pids.get(real);
    if (n === undefined) {
      n = FIRST_PID + this.pids.size;
      this.pids.set(real, n);
    }
    return n;
  }

  private actor(real: string): string {
    let n = this.actors.get(real);
    if (n === undefined) {
      n = `operator-${this.actors.size + 1}`;
      this.actors.set(real, n);
    }
    return n;
  }

  private value(v: unknown, key: string): unknown {
    if (typeof v === 'string') {
      if (key === 'hostname') return REDACTED_HOST;
      if (key === 'cmdline') return REDACTED_CMDLINE;
      if (key === 'actor') return this.actor(v);
      return this.text(v);
    }
    if (typeof v === 'number' && key === 'pid' && Number.isInteger(v)) return this.pid(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x, ''));
    if (v !== null && typeof v === 'object') {
      // a process's pinned-memory row names the process by its PID in "id" (PinnedStat)
      const processRow = (v as { scope?: unknown }).scope === 'process';
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x, processRow && k === 'id' ? 'pid' : k);
      return out;
    }
    return v;
  }

  private text(s: string): string {
    let out = s;
    for (const name of this.hostNames) if (name.length > 0) out = out.split(name).join(REDACTED_HOST);
    // the kernel's and our own texts name tasks as "pid 1234", "pid=1234" or "comm[1234]"
    return out
      .replace(/\bpid([ =])(\d+)\b/g, (_m, sep: string, n: string) => `pid${sep}${this.pid(Number(n))}`)
      .replace(/([A-Za-z0-9_.-])\[(\d+)\]/g, (_m, c: string, n: string) => `${c}[${this.pid(Number(n))}]`);
  }
}
