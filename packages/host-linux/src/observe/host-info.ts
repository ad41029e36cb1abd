/**
 * What kind of host this is: kernel, whether an IOMMU is on (and if not,
 * why), whether interrupts are remapped, the VFIO modules and their
 * parameters (vfio_iommu_type1.allow_unsafe_interrupts, dma_entry_limit),
 * this process's RLIMIT_MEMLOCK, CPUs and the interrupt vectors they offer.
 */
import { existsSync } from 'node:fs';
import { hostname as osHostname, cpus as osCpus } from 'node:os';
import { join } from 'node:path';
import type { HostInfo } from '@vfioscope/host';
import { listDir, readText, readTrimmed } from './fs-read.ts';
import { listGroupIds } from './iommu-groups.ts';
import { parseProcInterrupts } from './proc-interrupts.ts';
import { memlockFromLimits } from './proc-owners.ts';
import type { LinuxRoots } from './roots.ts';

/** x86: vectors 0x20..0xeb are for devices (FIRST_EXTERNAL_VECTOR..FIRST_SYSTEM_VECTOR) on each CPU */
const DEVICE_VECTORS_PER_CPU = 0xec - 0x20;

/** "0-3,6" → 5 */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
}

export function iommuAbsentReason(roots: LinuxRoots): string {
  const units = listDir(join(roots.sys, 'class/iommu'));
  const cmdline = readTrimmed(join(roots.proc, 'cmdline')) ?? '';
  if (units.length > 0) {
    return `IOMMU hardware (${units.join(', ')}) is registered but no IOMMU groups exist: translation is off (kernel command line: "${cmdline}"); boot with intel_iommu=on or amd_iommu=on and iommu=pt`;
  }
  return `no IOMMU groups: ${join(roots.sys, 'kernel/iommu_groups')} is empty and no IOMMU is registered in ${join(roots.sys, 'class/iommu')} (none present, disabled in firmware, or not enabled on the kernel command line)`;
}

function intelRemapCapable(roots: LinuxRoots): boolean | null {
  const units = listDir(join(roots.sys, 'class/iommu')).filter((u) => u.startsWith('dmar'));
  if (units.length === 0) return null;
  // extended capability register, bit 3 = interrupt remapping support
  return units.every((u) => {
    const ecap = readTrimmed(join(roots.sys, 'class/iommu', u, 'intel-iommu/ecap'));
    return ecap !== null && (BigInt(`0x${ecap}`) & 8n) !== 0n;
  });
}

function moduleParam(roots: LinuxRoots, mod: string, param: string): string | null {
  return readTrimmed(join(roots.sys, 'module', mod, 'parameters', param));
}

export function readHostInfo(roots: LinuxRoots, pageSize: number): HostInfo {
  const groupCount = listGroupIds(roots).length;
  const present = groupCount > 0;
  const hasModule = (m: string) => listDir(join(roots.sys, 'module', m)).length > 0;
  const type1 = hasModule('vfio_iommu_type1');
  const unsafe = moduleParam(roots, 'vfio_iommu_type1', 'allow_unsafe_interrupts');
  const allowUnsafeInterrupts = type1 && unsafe !== null ? unsafe === 'Y' || unsafe === '1' : null;
  const entryLimit = moduleParam(roots, 'vfio_iommu_type1', 'dma_entry_limit');
  const interrupts = readText(join(roots.proc, 'interrupts'));
  const remappedSeen = interrupts !== null && parseProcInterrupts(interrupts).remapped;
  const intel = intelRemapCapable(roots);
  const interruptRemapping = !present ? null : remappedSeen || allowUnsafeInterrupts === true ? true : intel;
  const online = readTrimmed(join(roots.sys, 'devices/system/cpu/online'));
  const cpus = online ? countCpuList(online) : osCpus().length;
  const limits = readText(join(roots.proc, 'self/limits'));
  return {
    backend: 'linux',
    hostname: readTrimmed(join(roots.proc, 'sys/kernel/hostname')) ?? osHostname(),
    kernel: readTrimmed(join(roots.proc, 'sys/kernel/osrelease')) ?? 'unknown',
    iommu: present ? { present, groupCount } : { present, groupCount, reason: iommuAbsentReason(roots) },
    interruptRemapping,
    modules: {
      vfio: hasModule('vfio') || listDir(join(roots.dev, 'vfio')).includes('vfio'),
      vfioPci: hasModule('vfio_pci'),
      vfioIommuType1: type1,
      allowUnsafeInterrupts,
      dmaEntryLimit: type1 && entryLimit !== null ? Number(entryLimit) : null,
    },
    memlockLimit: limits === null ? null : memlockFromLimits(limits),
    uapi: vfioUapi(roots, type1),
    pageSize,
    cpus,
    vectorLimit: DEVICE_VECTORS_PER_CPU * cpus,
  };
}

/**
 * Which VFIO uAPIs this kernel offers. /dev/vfio/vfio is served by type1 (vfio_iommu_type1 loaded)
 * or, with CONFIG_IOMMUFD_VFIO_CONTAINER, by iommufd ("compat": no vfio_iommu_type1 module at all);
 * /dev/iommu exists with CONFIG_IOMMUFD; a device's cdev (/dev/vfio/devices/vfioN, with a `dev`
 * attribute under its /sys/class/vfio-dev/vfioN) with CONFIG_VFIO_DEVICE_CDEV.
 */
function vfioUapi(roots: LinuxRoots, type1: boolean): HostInfo['uapi'] {
  const container = existsSync(join(roots.dev, 'vfio/vfio')) ? (type1 ? 'type1' : 'iommufd-compat') : null;
  const cdev = listDir(join(roots.sys, 'class/vfio-dev')).some((n) => existsSync(join(roots.sys, 'class/vfio-dev', n, 'dev')));
  return { container, iommufd: existsSync(join(roots.dev, 'iommu')), cdev };
}
