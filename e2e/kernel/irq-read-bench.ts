/**
 * vfioscope's IRQ-count read path (LinuxHost.drainEventFds: epoll_wait
 * through ffi-rs, then read(2) of the fired eventfds) next to the plain C
 * baseline (irq-read-cost.c) and a naive per-fd drain, for N vectors of
 * which K fired since the last tick. Run in the QEMU guest by
 * guest-tests.sh (step irqbench); also runs on any Linux host.
 * Usage: tsx irq-read-bench.ts <path of the compiled C program> <output file>
 * (Imported by path: e2e has no workspace dependency on the host packages.)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { createLinuxHost } from '../../packages/host-linux/src/index.ts';

const [cProgram, outFile] = process.argv.slice(2);
const CASES: [n: number, k: number, ticks: number][] = [
  [64, 0, 50],
  [64, 64, 50],
  [1024, 0, 20],
  [1024, 16, 20],
  [1024, 1024, 5],
  [4096, 0, 10],
  [4096, 16, 10],
  [4096, 4096, 3],
];

const host = createLinuxHost();
const rows: string[] = [];
const fmt = (name: string, n: number, k: number, perTick: number) =>
  `${name.padEnd(16)} ${String(n).padStart(6)} ${String(k).padStart(5)} ${perTick.toFixed(0).padStart(12)} ${(perTick / n).toFixed(1).padStart(10)}`;

for (const [n, k, ticks] of CASES) {
  const fds = await Promise.all(Array.from({ length: n }, () => host.createEventFd()));
  const fire = async () => {
    for (let i = 0; i < k; i++) await fds[Math.floor((i * n) / k)]!.signal(1);
  };
  let epoll = 0;
  let naive = 0;
  for (let t = 0; t < ticks; t++) {
    await fire();
    const t0 = process.hrtime.bigint();
    const counts = await host.drainEventFds(fds);
    epoll += Number(process.hrtime.bigint() - t0);
    if (counts.reduce((a, b) => a + b, 0) !== k) throw new Error(`drainEventFds lost counts: ${counts.reduce((a, b) => a + b, 0)} of ${k}`);
    await fire();
    const t1 = process.hrtime.bigint();
    for (const f of fds) await f.drain();
    naive += Number(process.hrtime.bigint() - t1);
  }
  rows.push(fmt('ts-drainEventFds', n, k, epoll / ticks), fmt('ts-per-fd-drain', n, k, naive / ticks));
  rows.push(
    ...execFileSync(cProgram!, [String(n), String(k), String(ticks * 10)], { encoding: 'utf8' })
      .trimEnd()
      .split('\n'),
  );
  await Promise.all(fds.map((f) => f.close()));
  console.log(rows.slice(-4).join('\n'));
}
await host.close();

const header = [
  `# Cost of reading IRQ counts (eventfd counters) per tick: N vectors, K of them fired since the last tick.`,
  `# Measured ${new Date().toISOString()} on Linux ${release()} (${process.env.VFIOSCOPE_BENCH_WHERE ?? 'host'}), Node ${process.version}.`,
  `# ts-drainEventFds: LinuxHost.drainEventFds (epoll_wait via ffi-rs + read(2) of fired fds via node:fs)`,
  `# ts-per-fd-drain:  EventFd.drain() on every fd (read(2) each, EAGAIN for quiet ones)`,
  `# c-loop / c-epoll: the same two strategies in plain C (e2e/kernel/irq-read-cost.c)`,
  `# strategy             N     K  ns_per_tick  ns_per_vector`,
];
writeFileSync(outFile!, [...header, ...rows, ''].join('\n'));
