/**
 * The package against the real <linux/vfio.h>: compile a probe generated
 * from the package's exports with gcc, run it, and fail on any drift, by
 * name. Also checks the other direction: every VFIO macro, enum constant and
 * struct in the header has its counterpart in the package.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedConstants, exportedLayouts, probeDrift, probeItems, probeSource } from './header-probe.ts';

const HEADER = '/usr/include/linux/vfio.h';

describe('uapi matches /usr/include/linux/vfio.h', () => {
  let dir = '';
  let output = '';
  const items = probeItems();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-uapi-probe-'));
    const src = join(dir, 'probe.c');
    const exe = join(dir, 'probe');
    writeFileSync(src, probeSource(items));
    try {
      execFileSync('gcc', ['-std=gnu11', '-Wall', '-o', exe, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT')
        throw new Error('gcc not found: this test needs gcc and linux-libc-dev (apt-get install gcc linux-libc-dev)');
      // a name the package exports but the header lacks shows up here as an undeclared identifier
      throw new Error(`probe did not compile against ${HEADER}:\n${err.stderr?.toString() ?? err.message}`);
    }
    output = execFileSync(exe, { encoding: 'utf8' });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('probes every constant, ioctl, struct size and field offset the package defines', () => {
    const keys = new Set(items.map((i) => i.key));
    expect(keys.size).toBe(items.length);
    expect(keys).toContain('const VFIO_IOMMU_MAP_DMA');
    expect(keys).toContain('sizeof vfio_region_info');
    expect(keys).toContain('offsetof vfio_iommu_type1_info.cap_offset');
    expect(keys).toContain('table VFIO_DEVICE_SET_IRQS.size');
    expect(keys).toContain('errno EINVAL');
    expect(keys).toContain('errno ENOSPC');
    expect(items.length).toBeGreaterThan(300);
  });

  it('has no drift from the header', () => {
    expect(probeDrift(items, output)).toEqual([]);
  });

  it('notices drift by name', () => {
    const tampered = items.map((i) => (i.key === 'sizeof vfio_irq_set' ? { ...i, expected: 24n } : i));
    expect(probeDrift(tampered, output)).toEqual(['sizeof vfio_irq_set: package 24, header 20']);
    const wrongErrno = items.map((i) => (i.key === 'errno EEXIST' ? { ...i, expected: 16n } : i));
    expect(probeDrift(wrongErrno, output)).toEqual(['errno EEXIST: package 16, header 17']);
  });
});

describe('the header has nothing the package forgot', () => {
  const header = readFileSync(HEADER, 'utf8');
  const exported = new Set(exportedConstants().map(([name]) => name));

  it('exports every object-like VFIO_ macro', () => {
    // function-like macros (VFIO_DEVICE_STATE_VALID(state) …) are logic, not data
    const macros = [...header.matchAll(/^\s*#\s*define\s+(VFIO_\w+)[ \t]/gm)].map((m) => m[1]!).filter((n) => n !== 'VFIO_H');
    expect(macros.length).toBeGreaterThan(150);
    expect(macros.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('exports every VFIO_ enum constant', () => {
    const enumerators = [...header.matchAll(/^\s+(VFIO_\w+)\s*(?:=\s*\d+\s*)?,?\s*(?:\/\*.*)?$/gm)].map((m) => m[1]!);
    expect(enumerators).toContain('VFIO_PCI_NUM_IRQS');
    expect(enumerators.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('has a layout for every struct', () => {
    const structs = new Set([...header.matchAll(/^struct (vfio_\w+)\s*\{/gm)].map((m) => m[1]!));
    const layouts = new Set(exportedLayouts().map((l) => l.name));
    expect([...structs].filter((s) => !layouts.has(s))).toEqual([]);
  });
});
