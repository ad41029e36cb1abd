/**
 * Value shapes shared by every message. The rule on the wire: addresses and
 * sizes in IOVA / process / region space (iova, size, vaddr, region offset)
 * are 64-bit and travel as strings — "0x…" hex from the server, hex or
 * decimal strings from clients — because JSON numbers lose precision past
 * 2^53. Counters and byte totals (pinned bytes, rates, counts) are plain JSON
 * numbers. Units ("2M", "4 KiB") are the UI's business; the wire stays strict.
 */
import { Type, type Static } from '@sinclair/typebox';

/** What the server sends: lowercase 0x-prefixed hex, at most 64 bits. */
export const Hex64 = Type.String({
  pattern: '^0x[0-9a-f]{1,16}$',
  description: 'a 64-bit value as a "0x…" hex string',
});
export type Hex64 = Static<typeof Hex64>;

/** What clients may send for a 64-bit value: "0x…" hex (any case) or a decimal string. */
export const U64Input = Type.String({
  pattern: '^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$',
  description: 'a 64-bit value as a "0x…" hex or decimal string',
});
export type U64Input = Static<typeof U64Input>;

/** PCI address "dddd:bb:dd.f" */
export const Bdf = Type.String({
  pattern: '^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]$',
  description: 'a PCI address "dddd:bb:dd.f"',
});
export type Bdf = Static<typeof Bdf>;

/** Bytes in memory order as hex pairs ("deadbeef" = de ad be ef), no 0x: a byte string, not a number. */
export const HexBytes = Type.String({
  pattern: '^([0-9a-fA-F]{2})*$',
  maxLength: 8192,
  description: 'bytes in memory order as hex pairs, e.g. "deadbeef" (at most 4096 bytes)',
});
export type HexBytes = Static<typeof HexBytes>;

/** Decimal integer in a path or query string (they are strings on the wire; no coercion). */
export const DecimalString = Type.String({ pattern: '^[0-9]{1,9}$', description: 'a decimal integer' });

export const IrqIndexName = Type.Union([
  Type.Literal('INTX'),
  Type.Literal('MSI'),
  Type.Literal('MSIX'),
  Type.Literal('ERR'),
  Type.Literal('REQ'),
]);
export type IrqIndexName = Static<typeof IrqIndexName>;

export const Role = Type.Union([Type.Literal('viewer'), Type.Literal('operator')]);

/** Who serves an IOMMU context: a type1 container, iommufd's compat container, or an iommufd IOAS. */
export const IommuKindView = Type.Union([Type.Literal('type1'), Type.Literal('iommufd-compat'), Type.Literal('iommufd')]);
export type IommuKindView = Static<typeof IommuKindView>;
export type Role = Static<typeof Role>;

/** A process, as the operator knows it: the VM's name when it is a QEMU VM (-name), then the pid. */
export const ProcessRef = Type.Object({
  pid: Type.Integer(),
  comm: Type.String(),
  /** the guest's name from QEMU's -name (libvirt's domain name), null for other processes */
  vm: Type.Union([Type.String(), Type.Null()]),
});
export type ProcessRef = Static<typeof ProcessRef>;

/** unix milliseconds */
export const Timestamp = Type.Number({ description: 'milliseconds since the Unix epoch' });
