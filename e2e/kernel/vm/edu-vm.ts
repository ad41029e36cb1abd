/**
 * A real VM in the bed's guest: Debian's QEMU (the host's root, seen through
 * the bed's 9p share) taking an edu with -device vfio-pci,host=<bdf> as
 * libvirt would, running edu-vm.c as its whole guest OS (see that file). TCG
 * inside TCG: the VM boots (SeaBIOS, then the multiboot kernel) in seconds.
 *
 * The bed's tests run without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 16 MiB; a
 * VM's QEMU pins all its RAM when vfio-pci maps it (drivers/vfio/
 * vfio_iommu_type1.c vfio_pin_map_dma), so a VM gets the limit a libvirt
 * host would give it (RAM and more: here unlimited, raised by prlimit as
 * root), or keeps 16 MiB to be refused.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./edu-vm.c', import.meta.url));
const CFLAGS = [
  '-m32',
  '-march=i686',
  '-ffreestanding',
  '-fno-pic',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-nostdlib',
  '-static',
  '-O1',
  '-Wall',
  '-Werror',
  // one loadable segment at 1 MiB, the multiboot header first in it (within the file's first 8 KiB)
  '-Wl,-Ttext-segment=0x100000',
  '-Wl,-z,noseparate-code',
  '-Wl,--build-id=none',
];

/** Builds the VM's kernel (gcc, 32-bit freestanding) into the temp dir; returns its path. */
export function buildEduVmKernel(): string {
  const out = join(tmpdir(), 'edu-vm.elf');
  const r = spawnSync('gcc', [...CFLAGS, '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc edu-vm.c failed (${r.status}): ${r.stderr}`);
  return out;
}

export interface EduVmOptions {
  /** the edu the VM takes (bound to vfio-pci, alone in its group) */
  bdf: string;
  /** QEMU's -name: the guest name vfioscope shows for the owner */
  name: string;
  ramMiB: number;
  /** RLIMIT_MEMLOCK: raised to unlimited (a VM set up to run), or this process's (to be refused) */
  memlock: 'unlimited' | 'inherit';
  /** DMAs the VM starts from a guest-physical address it has no RAM at, before its loop */
  faults?: number;
}

export interface EduVm {
  pid: number;
  name: string;
  /** resolves with QEMU's exit code (null when killed by a signal) */
  exited: Promise<number | null>;
  /** what the VM wrote to its serial port so far */
  serial(): string;
  /** what QEMU wrote to stderr so far */
  stderr(): string;
  /** waits for the serial output to match, failing on exit or after the deadline */
  waitSerial(re: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, and waits for the exit */
  stop(): Promise<number | null>;
}

export function startEduVm(kernel: string, o: EduVmOptions): EduVm {
  const serialLog = join(tmpdir(), `edu-vm-${o.name}.serial`);
  const qemu = [
    'qemu-system-x86_64',
    '-name',
    `${o.name},debug-threads=on`,
    '-machine',
    'pc',
    '-accel',
    'tcg',
    '-m',
    `${o.ramMiB}M`,
    '-display',
    'none',
    '-no-user-config',
    '-nodefaults',
    '-serial',
    `file:${serialLog}`,
    '-device',
    `vfio-pci,host=${o.bdf}`,
    '-kernel',
    kernel,
    '-append',
    `faults=${o.faults ?? 0}`,
  ];
  const argv = o.memlock === 'unlimited' ? ['prlimit', '--memlock=unlimited:unlimited', '--', ...qemu] : qemu;
  // prlimit sets the limit and execs QEMU: one pid
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
  return {
    pid: child.pid ?? -1,
    name: o.name,
    exited,
    serial,
    stderr: () => err,
    async waitSerial(re, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(serial())) {
        if (code !== undefined) throw new Error(`VM ${o.name} exited (${code}) before ${re}: ${err.trim()} | serial: ${serial()}`);
        if (Date.now() > deadline) throw new Error(`VM ${o.name}: no ${re} on its serial port after ${timeoutMs} ms: ${serial()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (code === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}
