import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('vfioscope CLI', () => {
  it('prints the top-level help, and every verb has its own', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    expect(top.out).toContain('Commands:');
    for (const verb of ['serve', 'topology', 'scenarios', 'uapi']) {
      const r = await run(verb, '--help');
      expect(r.code, verb).toBe(0);
      expect(r.out, verb).toContain(`vfioscope ${verb}`);
    }
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: vfioscope <command>');
  });

  it('refuses unknown verbs and bad flags with exit 2 and the usage', async () => {
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const flag = await run('serve', '--port', '80');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('vfioscope serve: unknown option --port');
    expect(flag.err).toContain('Usage: vfioscope serve');
    const listen = await run('serve', '--listen', 'nowhere');
    expect(listen.err).toContain('--listen must be HOST:PORT');
    // off loopback only with TLS, or when told it may go in clear
    const open = await run('serve', '--listen', '0.0.0.0:17014');
    expect(open.code).toBe(2);
    expect(open.err).toContain('give --tls-cert and --tls-key');
    expect(open.err).toContain('--insecure-http');
    const half = await run('serve', '--tls-cert', '/etc/hostname');
    expect(half.err).toContain('--tls-cert and --tls-key go together');
    const notPem = await run('serve', '--tls-cert', '/etc/hostname', '--tls-key', '/etc/hostname');
    expect(notPem.err).toContain('--tls-cert /etc/hostname is not a PEM file');
    const hz = await run('serve', '--tick-hz', '0');
    expect(hz.err).toContain('--tick-hz must be a number');
    const backend = await run('topology', '--backend', 'xen');
    expect(backend.err).toContain('--backend must be "sim" or "linux"');
    const tokens = await run('serve', '--token-file', '/nonexistent/tokens');
    expect(tokens.code).toBe(2);
    expect(tokens.err).toContain('--token-file');
  });

  it('topology prints the sim scenario as a table or JSON', async () => {
    const t = await run('topology', '--scenario', 'edu');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^GROUP\s+VIABLE\s+DEVICE/);
    expect(t.out).toMatch(/0000:01:02\.0\s+e1000 \(blocks\)/);
    expect(t.out).toMatch(/IOMMU groups \(\d+ viable/);
    const j = await run('topology', '--scenario', 'storm', '--json');
    const topo = JSON.parse(j.out);
    expect(topo.groups.some((g: { owners: { comm: string }[] }) => g.owners.some((o) => o.comm === 'qemu-system-x86'))).toBe(true);
    const bad = await run('topology', '--scenario', 'no-such-scenario');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('no-such-scenario');
  });

  it('scenarios lists the built-in ones', async () => {
    const r = await run('scenarios');
    for (const name of ['default', 'edu', 'edu-6.12', 'edu-6.12-compat', 'storm', 'large', 'demo', 'vectors-4k'])
      expect(r.out).toMatch(new RegExp(`^${name}\\s`, 'm'));
    const j = JSON.parse((await run('scenarios', '--json')).out);
    expect(j.map((s: { name: string }) => s.name)).toEqual([
      'default',
      'edu',
      'edu-6.12',
      'edu-6.12-compat',
      'storm',
      'demo',
      'large',
      'vectors-4k',
    ]);
  });

  it('delegates uapi', async () => {
    const r = await run('uapi', '--json');
    expect(r.code).toBe(0);
    expect(r.out).toContain('VFIO_IOMMU_MAP_DMA');
  });
});
