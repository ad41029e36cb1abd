import { describe, expect, it } from 'vitest';
import { runUapiCommand, UAPI_USAGE } from './uapi-command.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runUapiCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('vfioscope uapi', () => {
  it('prints the ioctl table', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NAME\s+NUMBER/);
    expect(r.out).toMatch(/VFIO_DEVICE_SET_IRQS\s+0x3b6e\s+device\s+none\s+struct vfio_irq_set\s+20/);
    expect(r.err).toBe('');
  });

  it('--json lists every VFIO and iommufd ioctl with number and struct size', async () => {
    const r = await run('--json');
    const rows = JSON.parse(r.out) as { name: string; number: number; fd: string; size: number | null }[];
    expect(r.code).toBe(0);
    expect(rows).toHaveLength(48);
    expect(rows.find((x) => x.name === 'VFIO_IOMMU_MAP_DMA')).toMatchObject({ number: 0x3b71, size: 32 });
    expect(rows.find((x) => x.name === 'IOMMU_IOAS_MAP')).toMatchObject({ number: 0x3b85, fd: 'iommufd', size: 40 });
    expect(rows.find((x) => x.name === 'VFIO_DEVICE_BIND_IOMMUFD')).toMatchObject({ number: 0x3b76, fd: 'device', size: 16 });
  });

  it('decode names iommufd and device-cdev numbers', async () => {
    expect((await run('decode', '0x3b85')).out).toContain('0x3b85 (15237): IOMMU_IOAS_MAP');
    expect((await run('decode', '0x3b77')).out).toContain('on a device fd: VFIO_DEVICE_ATTACH_IOMMUFD_PT');
  });

  it('decode names a hex or decimal number', async () => {
    const hex = await run('decode', '0x3b6d');
    expect(hex.code).toBe(0);
    expect(hex.out).toContain('0x3b6d (15213): VFIO_DEVICE_GET_IRQ_INFO');
    const dec = await run('decode', '15213');
    expect(dec.out).toBe(hex.out);
  });

  it('decode --json gives the _IOC fields and the matches', async () => {
    const r = await run('decode', '0x3b72', '--json');
    expect(JSON.parse(r.out)).toMatchObject({
      hex: '0x3b72',
      ioc: { dir: 'none', type: 0x3b, nr: 114, size: 0 },
      matches: [{ name: 'VFIO_IOMMU_UNMAP_DMA' }, { name: 'VFIO_DEVICE_QUERY_GFX_PLANE' }],
    });
  });

  it('decodes an unknown number generically', async () => {
    const r = await run('decode', '0xc0105500');
    expect(r.code).toBe(0);
    expect(r.out).toContain("_IOWR('U', 0x0, 16)");
  });

  it('--help prints usage, with or without the verb itself', async () => {
    expect(await run('--help')).toEqual({ code: 0, out: UAPI_USAGE, err: '' });
    expect((await run('uapi', '-h')).out).toBe(UAPI_USAGE);
  });

  it('usage errors exit 2 and say what was wrong', async () => {
    for (const argv of [['decode'], ['decode', 'nope'], ['frobnicate'], ['--bogus'], ['decode', '1', '2']]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^vfioscope uapi: /);
    }
  });
});
