/**
 * The built server running in the real-kernel bed's QEMU guest, reached from
 * this host: `e2e/kernel/run.sh irqpixel` with VFIOSCOPE_GUEST_FWD_PORT, which
 * adds a user-mode NIC forwarding a free loopback port here to the guest's
 * server (run.sh's header), and the guest step serving until we write its
 * stop file (guest-tests.sh, step_irqpixel). The guest's clock is its own:
 * stamps taken there need an offset to compare with ours (stream-clock.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT } from './built.ts';

const KERNEL_DIR = join(ROOT, 'e2e/kernel');
/** the web build the guest step serves (step_irqpixel's path; the guest cannot see this host's /tmp) */
export const GUEST_WEB_DIR = join(KERNEL_DIR, '.work/irqpixel-web');
export const GUESTS = ['6.1', '6.12-type1', '6.12-compat', '6.12-cdev'] as const;
export type Guest = (typeof GUESTS)[number];

/** run.sh's directory for a guest (its GW: .work for 6.1, .work/guest-<guest> for the others) and its OUT */
function guestDir(guest: Guest): string {
  return join(KERNEL_DIR, '.work', guest === '6.1' ? '' : `guest-${guest}`);
}
function outDir(guest: Guest): string {
  return join(guestDir(guest), 'out');
}

/** QEMU stops a KVM guest it cannot run and waits (seen: the 6.12 guest under KVM here); no use waiting for it */
function kvmFailed(guest: Guest, since: number): boolean {
  const console = join(guestDir(guest), 'console.log');
  try {
    return statSync(console).mtimeMs >= since && readFileSync(console, 'utf8').includes('KVM internal error');
  } catch {
    return false;
  }
}

export interface GuestCpuReading {
  /** the guest's Date.now() */
  t: number;
  /** the server's utime + stime so far, ms */
  cpuMs: number;
  /** the guest's load average, as /proc/loadavg has it */
  load: string;
}

export interface GuestServer {
  base: string;
  token: string;
  guest: Guest;
  /** the QEMU process (the whole guest) when it is running, for its CPU time */
  qemuPid(): number | undefined;
  /** ends the serving step, waits for the guest to power off and returns the server's audit log */
  finish(): Promise<string>;
  /** after finish(): the server's CPU as the guest step logged it once a second (guest clock, ms) */
  cpuLog(): GuestCpuReading[];
  /** ends it all if still running (idempotent) */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** the newest descendant of `root` whose command line starts with `prefix` */
function descendant(root: number, prefix: string): number | undefined {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8'));
    } catch {
      // gone meanwhile
    }
  }
  const isUnder = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 16; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  let found: number | undefined;
  for (const [pid, c] of cmd) if (c.startsWith(prefix) && isUnder(pid) && (found === undefined || pid > found)) found = pid;
  return found;
}

/** the guest step's once-a-second log: guest date (s), the server's utime and stime (clock ticks), load average */
function readCpuLog(file: string): GuestCpuReading[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const hz = Number(/ticks of ([0-9]+)\/s/.exec(lines[0] ?? '')?.[1] ?? 100);
  return lines.flatMap((line) => {
    const f = line.split(' ');
    if (line.startsWith('#') || f.length < 6) return [];
    return [{ t: Number(f[0]) * 1000, cpuMs: ((Number(f[1]) + Number(f[2])) * 1000) / hz, load: f.slice(3, 6).join(' ') }];
  });
}

/**
 * Boots the guest with the irqpixel step and waits (generously: the lock may be held by another run of the
 * same guest, boot takes a minute or more under TCG, the server's start up to two more) for its /health.
 * run.sh's own output goes to `logFile`.
 */
export async function startGuestServer(guest: Guest, logFile: string, deadlineMs = 40 * 60_000): Promise<GuestServer> {
  const port = await freePort();
  const out = outDir(guest);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn('bash', [join(KERNEL_DIR, 'run.sh'), 'irqpixel'], {
    cwd: ROOT,
    env: { ...process.env, VFIOSCOPE_GUEST: guest, VFIOSCOPE_GUEST_FWD_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((res) =>
    child.once('exit', (code) => {
      exitCode = code;
      res(code);
    }),
  );
  // run.sh runs QEMU under `timeout`, which passes a TERM on to it; QEMU (and the guest's lock run.sh holds, which
  // it inherits) would otherwise outlive run.sh
  const endRun = () => {
    const qemuTimeout = child.pid === undefined ? undefined : descendant(child.pid, 'timeout');
    if (qemuTimeout !== undefined) process.kill(qemuTimeout, 'SIGTERM');
    child.kill('SIGTERM');
  };
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  let lastNote = t0;
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`run.sh irqpixel (${guest}) ended with ${exitCode} before the server answered; see ${logFile}`);
    const ok = await fetch(`${base}/api/v1/health`, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (kvmFailed(guest, t0)) {
      endRun();
      throw new Error(`the ${guest} guest stopped with a KVM internal error (its console.log); see ${logFile}`);
    }
    if (Date.now() - t0 > deadlineMs) {
      endRun();
      throw new Error(`the ${guest} guest's server did not answer /health within ${deadlineMs / 1000} s; see ${logFile}`);
    }
    if (Date.now() - lastNote > 60_000) {
      lastNote = Date.now();
      console.log(`# waiting for the ${guest} guest's server (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await sleep(2000);
  }
  console.log(`# the ${guest} guest's server answered /health ${((Date.now() - t0) / 1000).toFixed(0)} s after run.sh started`);
  // written before the server starts, and out/ is emptied when our run starts: this is our guest's
  const token = readFileSync(join(out, 'irqpixel.token'), 'utf8').trim();

  let finished: Promise<string> | null = null;
  let cpu: GuestCpuReading[] = [];
  const finish = (): Promise<string> => {
    finished ??= (async () => {
      writeFileSync(join(out, 'irqpixel.stop'), '');
      const code = await Promise.race([exited, sleep(15 * 60_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        endRun();
        throw new Error(`run.sh irqpixel (${guest}) did not end within 15 min of the stop file; see ${logFile}`);
      }
      if (code !== 0) console.log(`# run.sh irqpixel (${guest}) exited with ${code}; see ${logFile}`);
      // read at once: the next run of this guest (another bench, npm test) empties out/ when it starts
      cpu = readCpuLog(join(out, 'irqpixel-cpu.txt'));
      const audit = join(out, 'irqpixel-audit.log');
      if (!existsSync(audit)) throw new Error(`the guest left no ${audit}; see ${logFile}`);
      return readFileSync(audit, 'utf8');
    })();
    return finished;
  };
  return {
    base,
    token,
    guest,
    qemuPid: () => (exitCode === undefined ? descendant(process.pid, 'qemu-system') : undefined),
    finish,
    cpuLog: () => cpu,
    async stop() {
      if (exitCode !== undefined) return;
      await finish().catch((e: unknown) => console.error(e));
      rmSync(join(out, 'irqpixel.stop'), { force: true });
    },
  };
}
