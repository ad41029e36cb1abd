/**
 * The ioctl table rendered for people and for scripts: aligned text columns
 * (name, number, fd, direction, argument, size) and plain JSON.
 */
import { ioctlHex, type DecodedIoctl } from './ioctl-decode.ts';
import { VFIO_IOCTL_TABLE, type IoctlEntry } from './ioctl-table.ts';

export interface IoctlJson {
  name: string;
  number: number;
  hex: string;
  fd: IoctlEntry['fd'];
  dir: IoctlEntry['dir'];
  arg: string;
  size: number | null;
  summary: string;
}

export function ioctlEntryJson(e: IoctlEntry): IoctlJson {
  return {
    name: e.name,
    number: e.number,
    hex: ioctlHex(e.number),
    fd: e.fd,
    dir: e.dir,
    arg: e.argName,
    size: e.size,
    summary: e.summary,
  };
}

export function ioctlTableJson(): IoctlJson[] {
  return VFIO_IOCTL_TABLE.map(ioctlEntryJson);
}

function sizeText(size: number | null): string {
  return size === null ? '-' : String(size);
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * One line per ioctl. The footer says why direction is always "none":
 * operators decoding strace output otherwise wonder where the size went.
 */
export function formatIoctlTable(entries: readonly IoctlEntry[] = VFIO_IOCTL_TABLE): string {
  const header = ['NAME', 'NUMBER', 'FD', 'DIR', 'ARGUMENT', 'SIZE'];
  const rows = entries.map((e) => [e.name, ioctlHex(e.number), e.fd, e.dir, e.argName, sizeText(e.size)]);
  return (
    columns([header, ...rows]) +
    '\n\nVFIO and iommufd encode every ioctl with _IO (type 0x3b; VFIO from 100, iommufd from 0x80): no direction or size in\n' +
    'the number. The struct passed carries its own size in its first field (argsz, or size for iommufd); SIZE is sizeof it.\n'
  );
}

export function formatDecodedIoctl(d: DecodedIoctl): string {
  const lines = [`${d.hex} (${d.number}): ${d.name}`, `  _IOC: dir=${d.dir} type=0x${d.type.toString(16)} nr=${d.nr} size=${d.size}`];
  for (const m of d.matches) {
    lines.push(
      `  on ${m.fd === 'iommufd' ? 'an' : 'a'} ${m.fd} fd: ${m.name}(${m.argName}${m.size === null ? '' : `, ${m.size} bytes`}) — ${m.summary}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function decodedIoctlJson(d: DecodedIoctl): object {
  return {
    number: d.number,
    hex: d.hex,
    name: d.name,
    ioc: { dir: d.dir, type: d.type, nr: d.nr, size: d.size },
    matches: d.matches.map(ioctlEntryJson),
  };
}
