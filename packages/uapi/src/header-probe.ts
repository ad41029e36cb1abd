/**
 * Builds, from the package's own exports, a C program that prints what the
 * kernel's headers say about every constant, ioctl number, struct size and
 * field offset the package defines (and <errno.h> about its errno numbers) —
 * and the values the package expects.
 * header-conformance.test.ts compiles and runs it. Generating both sides
 * from the same exports means nothing the package defines can go unchecked.
 *
 * The exports fall into two header sets: what Linux 6.1 already has is
 * checked against /usr/include (Debian 12's linux-libc-dev), and what
 * uapi-6.12.ts exports (linux/iommufd.h, the VFIO device-cdev ioctls) against
 * the 6.12 headers that scripts/headers-6.12.sh fetches.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as uapi from './index.ts';
import type { StructLayout } from './structs/layout.ts';
import * as uapi612 from './uapi-6.12.ts';

/** The header set an item is checked against: `6.1` is /usr/include, `6.12` the fetched 6.12 headers. */
export type ProbeHeaders = '6.1' | '6.12';

const NAMES_612: ReadonlySet<string> = new Set(Object.keys(uapi612));
const VALUES_612: ReadonlySet<unknown> = new Set(Object.values(uapi612));

/** Which header set a name the package exports (constant, layout or table entry) is checked against. */
export function headersOf(name: string): ProbeHeaders {
  return NAMES_612.has(name) ? '6.12' : '6.1';
}

export interface ProbeItem {
  /** unique key printed by the C program, e.g. "offsetof vfio_region_info.size" */
  key: string;
  /** a C expression of type long long, or a string for string constants */
  cExpr: string;
  kind: 'int' | 'string';
  expected: bigint | string;
}

function isLayout(v: unknown): v is StructLayout {
  return (
    typeof v === 'object' &&
    v !== null &&
    'name' in v &&
    'size' in v &&
    'fields' in v &&
    typeof (v as StructLayout).name === 'string' &&
    typeof (v as StructLayout).size === 'number'
  );
}

/** Every exported header name: VFIO_* / IOMMU_* / IOMMUFD_* / _IOC_* numbers and strings, as the kernel spells them. */
export function exportedConstants(headers?: ProbeHeaders): [name: string, value: number | string][] {
  return Object.entries(uapi)
    .filter(([name, value]) => /^(VFIO_|IOMMU_|IOMMUFD_|_IOC_)/.test(name) && (typeof value === 'number' || typeof value === 'string'))
    .filter(([name]) => headers === undefined || headersOf(name) === headers)
    .map(([name, value]) => [name, value as number | string]);
}

export function exportedLayouts(headers?: ProbeHeaders): StructLayout[] {
  return Object.values(uapi)
    .filter(isLayout)
    .filter((layout) => headers === undefined || (VALUES_612.has(layout) ? '6.12' : '6.1') === headers);
}

/**
 * Sample generic encodings, so the _IOC helpers are checked against the
 * kernel's macros too. The C _IOR/_IOW/_IOWR take a type and apply sizeof;
 * the TS ones take the size in bytes.
 */
const GENERIC_SAMPLES: { c: string; ts: () => number }[] = [
  { c: "_IO('T', 0x1)", ts: () => uapi._IO(0x54, 0x1) },
  { c: "_IOR('U', 0x2, __u64)", ts: () => uapi._IOR(0x55, 0x2, 8) },
  { c: '_IOW(0xAF, 0x46, struct vfio_iommu_type1_dma_unmap)', ts: () => uapi._IOW(0xaf, 0x46, 24) },
  { c: "_IOWR(';', 0xff, struct vfio_eeh_pe_op)", ts: () => uapi._IOWR(0x3b, 0xff, 40) },
  { c: "_IOC(_IOC_READ | _IOC_WRITE, ';', 0xff, 0x3fff)", ts: () => uapi._IOC(3, 0x3b, 0xff, 0x3fff) },
];

/** The items of one header set: every constant, layout and table entry it holds; generic _IOC samples and errnos go with 6.1. */
export function probeItems(headers: ProbeHeaders): ProbeItem[] {
  const items: ProbeItem[] = [];
  for (const [name, value] of exportedConstants(headers)) {
    items.push(
      typeof value === 'string'
        ? { key: `const ${name}`, cExpr: name, kind: 'string', expected: value }
        : { key: `const ${name}`, cExpr: `(long long)(${name})`, kind: 'int', expected: BigInt(value) },
    );
  }
  for (const layout of exportedLayouts(headers)) {
    items.push({
      key: `sizeof ${layout.name}`,
      cExpr: `(long long)sizeof(struct ${layout.name})`,
      kind: 'int',
      expected: BigInt(layout.size),
    });
    for (const [field, offset] of Object.entries(layout.fields)) {
      items.push({
        key: `offsetof ${layout.name}.${field}`,
        cExpr: `(long long)offsetof(struct ${layout.name}, ${field})`,
        kind: 'int',
        expected: BigInt(offset),
      });
    }
  }
  for (const entry of uapi.VFIO_IOCTL_TABLE) {
    if (headersOf(entry.name) !== headers) continue;
    items.push({ key: `table ${entry.name}.number`, cExpr: `(long long)(${entry.name})`, kind: 'int', expected: BigInt(entry.number) });
    if (entry.arg.kind === 'struct') {
      items.push({
        key: `table ${entry.name}.size`,
        cExpr: `(long long)sizeof(struct ${entry.arg.layout.name})`,
        kind: 'int',
        expected: BigInt(entry.size ?? -1),
      });
    }
  }
  if (headers === '6.1') {
    for (const s of GENERIC_SAMPLES) {
      items.push({ key: `generic ${s.c}`, cExpr: `(long long)(${s.c})`, kind: 'int', expected: BigInt(s.ts()) });
    }
    // the errno names are the contract all the way to the UI: their numbers come from <errno.h> too
    for (const [name, n] of Object.entries(uapi.ERRNO)) {
      items.push({ key: `errno ${name}`, cExpr: `(long long)(${name})`, kind: 'int', expected: BigInt(n) });
    }
  }
  return items;
}

/** The C program: one "key<TAB>value" line per item. With 6.12 it includes linux/iommufd.h too (6.1 has none). */
export function probeSource(items: readonly ProbeItem[], headers: ProbeHeaders = '6.1'): string {
  const lines = items.map((item) =>
    item.kind === 'string'
      ? `  printf("%s\\t%s\\n", ${JSON.stringify(item.key)}, ${item.cExpr});`
      : `  printf("%s\\t%lld\\n", ${JSON.stringify(item.key)}, ${item.cExpr});`,
  );
  return [
    '/* generated by packages/uapi/src/header-probe.ts */',
    '#include <errno.h>',
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#include <linux/ioctl.h>',
    '#include <linux/vfio.h>',
    ...(headers === '6.12' ? ['#include <linux/iommufd.h>'] : []),
    '',
    'int main(void) {',
    ...lines,
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

/**
 * Compare the program's output with the expectations; returns one line per
 * drift, naming the item. A C int constant written as (1 << 31) prints as
 * INT_MIN; the package holds it as the __u32 it is stored in, so a negative
 * C value is also compared as its 32-bit unsigned reading.
 */
export function probeDrift(items: readonly ProbeItem[], output: string): string[] {
  const seen = new Map<string, string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) seen.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const drift: string[] = [];
  for (const item of items) {
    const got = seen.get(item.key);
    if (got === undefined) {
      drift.push(`${item.key}: not printed by the probe`);
      continue;
    }
    if (item.kind === 'string') {
      if (got !== item.expected) drift.push(`${item.key}: package "${item.expected}", header "${got}"`);
      continue;
    }
    const c = BigInt(got);
    const same = c === item.expected || (c < 0n && BigInt.asUintN(32, c) === item.expected);
    if (!same) drift.push(`${item.key}: package ${item.expected}, header ${c}`);
  }
  return drift;
}

/**
 * The include directory of the Linux 6.12 uapi headers (the one holding
 * linux/iommufd.h): $VFIOSCOPE_HEADERS_612 (scripts/test.sh sets it from
 * scripts/headers-6.12.sh), else where that script unpacks them. Throws,
 * saying how to get them, when they are not there: the 6.12 check must fail
 * on a machine without them, never skip.
 */
export function headers612IncludeDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  const dir = env.VFIOSCOPE_HEADERS_612 || join(cache, 'vfioscope', 'headers-6.12', 'usr', 'include');
  if (!existsSync(join(dir, 'linux', 'iommufd.h'))) {
    throw new Error(
      `the Linux 6.12 uapi headers are missing (no linux/iommufd.h under ${dir}): run scripts/headers-6.12.sh ` +
        '(scripts/test.sh runs it and sets VFIOSCOPE_HEADERS_612 to the include dir it prints)',
    );
  }
  return dir;
}
