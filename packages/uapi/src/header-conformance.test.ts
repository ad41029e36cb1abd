/**
 * The package against the real headers: compile a probe generated from the
 * package's exports with gcc, run it, and fail on any drift, by name. Two
 * header sets: what Linux 6.1 has against /usr/include (Debian 12's
 * linux-libc-dev), what only newer kernels have (uapi-6.12.ts: iommufd.h,
 * the VFIO device cdev) against the Linux 6.12 headers that
 * scripts/headers-6.12.sh fetches — missing headers fail the test, they
 * never skip it. Also checks the other direction: every macro, enum constant
 * and struct of the headers has its counterpart in the package.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportedConstants,
  exportedLayouts,
  headers612IncludeDir,
  type ProbeHeaders,
  type ProbeItem,
  probeDrift,
  probeItems,
  probeSource,
} from './header-probe.ts';

const SYSTEM_VFIO_H = '/usr/include/linux/vfio.h';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** gcc's multiarch triplet (x86_64-linux-gnu): where a linux-libc-dev tree keeps asm/ */
function multiarch(): string {
  try {
    return execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim() || 'x86_64-linux-gnu';
  } catch {
    return 'x86_64-linux-gnu';
  }
}

/** Compile the probe of `items` (with -I `include` ahead of /usr/include when given), run it, return its output. */
function runProbe(items: readonly ProbeItem[], headers: ProbeHeaders, include?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vfioscope-uapi-probe-'));
  dirs.push(dir);
  const src = join(dir, 'probe.c');
  const exe = join(dir, 'probe');
  writeFileSync(src, probeSource(items, headers));
  const includes = include === undefined ? [] : ['-I', include, '-I', join(include, multiarch())];
  try {
    execFileSync('gcc', ['-std=gnu11', '-Wall', ...includes, '-o', exe, src], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT')
      throw new Error('gcc not found: this test needs gcc and linux-libc-dev (apt-get install gcc linux-libc-dev)');
    // a name the package exports but the header lacks shows up here as an undeclared identifier
    throw new Error(`probe did not compile against ${include ?? '/usr/include'}:\n${err.stderr?.toString() ?? err.message}`);
  }
  return execFileSync(exe, { encoding: 'utf8' });
}

describe('uapi matches /usr/include/linux/vfio.h (Linux 6.1)', () => {
  let output = '';
  const items = probeItems('6.1');

  beforeAll(() => {
    output = runProbe(items, '6.1');
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
    expect(keys).not.toContain('const IOMMU_IOAS_MAP');
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

/**
 * The 6.12 include dir, found at the first test that needs it. Without the
 * headers every such test fails with headers612IncludeDir's message (in a
 * beforeAll the failure would mark them skipped).
 */
let include612Dir: string | undefined;
function include612(): string {
  include612Dir ??= headers612IncludeDir();
  return include612Dir;
}

describe('uapi matches the Linux 6.12 headers (linux/iommufd.h, the vfio.h device cdev)', () => {
  const items = probeItems('6.12');
  let probed: string | undefined;
  const output = () => {
    probed ??= runProbe(items, '6.12', include612());
    return probed;
  };

  it('probes every iommufd and cdev constant, ioctl, struct size and field offset', () => {
    include612();
    const keys = new Set(items.map((i) => i.key));
    expect(keys.size).toBe(items.length);
    for (const key of [
      'const IOMMUFD_TYPE',
      'const IOMMUFD_CMD_IOAS_MAP',
      'const IOMMU_IOAS_MAP',
      'const IOMMU_IOAS_MAP_FIXED_IOVA',
      'const IOMMU_HW_INFO_TYPE_INTEL_VTD',
      'const VFIO_DEVICE_BIND_IOMMUFD',
      'sizeof iommu_ioas_iova_ranges',
      'offsetof iommu_ioas_iova_ranges.allowed_iovas',
      'offsetof iommu_hw_info.out_max_pasid_log2',
      'sizeof vfio_device_attach_iommufd_pt',
      'table IOMMU_IOAS_UNMAP.size',
      'table VFIO_DEVICE_DETACH_IOMMUFD_PT.number',
    ]) {
      expect(keys).toContain(key);
    }
    expect(keys).not.toContain('const VFIO_IOMMU_MAP_DMA');
    expect(items.length).toBeGreaterThan(200);
  });

  it('has no drift from the header', () => {
    expect(probeDrift(items, output())).toEqual([]);
  });

  it('notices drift by name', () => {
    const tampered = items.map((i) => (i.key === 'offsetof iommu_ioas_map.iova' ? { ...i, expected: 24n } : i));
    expect(probeDrift(tampered, output())).toEqual(['offsetof iommu_ioas_map.iova: package 24, header 32']);
  });

  it('the 6.1 items read the same from the 6.12 headers, except that vfio_device_info grew an explicit pad', () => {
    // vfio.h 6.12 adds `__u32 pad` after cap_offset; the kernel still accepts argsz 20 (minsz ends at cap_offset)
    const old = probeItems('6.1');
    expect(probeDrift(old, runProbe(old, '6.1', include612()))).toEqual([
      'sizeof vfio_device_info: package 20, header 24',
      'table VFIO_DEVICE_GET_INFO.size: package 20, header 24',
    ]);
  });
});

describe('headers612IncludeDir', () => {
  it('fails, naming the script to run, when the 6.12 headers are not there', () => {
    const env = { VFIOSCOPE_HEADERS_612: join(tmpdir(), 'vfioscope-no-such-headers') };
    expect(() => headers612IncludeDir(env)).toThrow(/linux\/iommufd\.h .*run scripts\/headers-6\.12\.sh/);
  });

  it('defaults to the cache dir the script unpacks into', () => {
    const env = { XDG_CACHE_HOME: join(tmpdir(), 'vfioscope-no-such-cache') };
    expect(() => headers612IncludeDir(env)).toThrow(`${env.XDG_CACHE_HOME}/vfioscope/headers-6.12/usr/include`);
  });
});

/** Object-like macros (function-like ones are logic, not data), enum constants and structs of a header. */
function headerNames(text: string, prefix: string, structPrefix: string) {
  const macros = [...text.matchAll(new RegExp(`^\\s*#\\s*define\\s+(${prefix}\\w+)[ \\t]`, 'gm'))].map((m) => m[1]!);
  const enumerators = [...text.matchAll(new RegExp(`^[ \\t]+(${prefix}\\w+)[ \\t]*(?:=[^,\\n]*)?,?[ \\t]*(?:/\\*.*)?$`, 'gm'))].map(
    (m) => m[1]!,
  );
  const structs = [...text.matchAll(new RegExp(`^struct (${structPrefix}\\w+)\\s*\\{`, 'gm'))].map((m) => m[1]!);
  return { macros, enumerators, structs };
}

describe('the headers have nothing the package forgot', () => {
  const exported = new Set(exportedConstants().map(([name]) => name));
  const layouts = new Set(exportedLayouts().map((l) => l.name));

  describe('/usr/include/linux/vfio.h', () => {
    const header = readFileSync(SYSTEM_VFIO_H, 'utf8');

    it('exports every object-like VFIO_ macro', () => {
      const macros = headerNames(header, 'VFIO_', 'vfio_').macros.filter((n) => n !== 'VFIO_H');
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
      expect([...structs].filter((s) => !layouts.has(s))).toEqual([]);
    });
  });

  describe('the 6.12 headers', () => {
    const read = (name: string) => readFileSync(join(include612(), 'linux', name), 'utf8');

    it('linux/iommufd.h: every macro, enum constant and struct', () => {
      const names = headerNames(read('iommufd.h'), 'IOMMU', 'iommu_');
      expect(names.macros).toContain('IOMMU_IOAS_MAP');
      expect(names.enumerators).toContain('IOMMUFD_CMD_IOAS_MAP');
      expect(names.enumerators).toContain('IOMMU_PGFAULT_FLAGS_LAST_PAGE');
      expect(names.structs).toContain('iommu_hw_info_vtd');
      expect([...names.macros, ...names.enumerators].filter((n) => !exported.has(n))).toEqual([]);
      expect(names.structs.filter((s) => !layouts.has(s))).toEqual([]);
    });

    it('linux/vfio.h: everything but the named 6.12 additions outside the device cdev', () => {
      const names = headerNames(read('vfio.h'), 'VFIO_', 'vfio_');
      const missing = [...names.macros, ...names.enumerators, ...names.structs.map((s) => `struct ${s}`)].filter(
        (n) => n !== 'VFIO_H' && !exported.has(n) && !layouts.has(n.replace(/^struct /, '')),
      );
      // newer than 6.1, not (yet) part of the package: CDX devices, PCIe AtomicOp completion, vfio-ap's IRQ,
      // hot reset by devid, migration pre-copy, bus master control
      expect(missing.sort()).toEqual(
        [
          'VFIO_AP_NUM_IRQS',
          'VFIO_AP_REQ_IRQ_INDEX',
          'VFIO_DEVICE_FEATURE_BUS_MASTER',
          'VFIO_DEVICE_FEATURE_CLEAR_MASTER',
          'VFIO_DEVICE_FEATURE_MIG_DATA_SIZE',
          'VFIO_DEVICE_FEATURE_SET_MASTER',
          'VFIO_DEVICE_FLAGS_CDX',
          'VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP',
          'VFIO_DEVICE_STATE_NR',
          'VFIO_DEVICE_STATE_PRE_COPY',
          'VFIO_DEVICE_STATE_PRE_COPY_P2P',
          'VFIO_MIGRATION_PRE_COPY',
          'VFIO_MIG_GET_PRECOPY_INFO',
          'VFIO_PCI_ATOMIC_COMP128',
          'VFIO_PCI_ATOMIC_COMP32',
          'VFIO_PCI_ATOMIC_COMP64',
          'struct vfio_device_feature_bus_master',
          'struct vfio_device_feature_mig_data_size',
          'struct vfio_device_info_cap_pci_atomic_comp',
          'struct vfio_precopy_info',
        ].sort(),
      );
    });
  });
});
