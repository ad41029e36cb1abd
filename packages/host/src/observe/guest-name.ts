/**
 * The name an operator knows a VM by, read from its QEMU command line:
 * `-name guest=win11-cad,debug-threads=on` (how libvirt starts every domain,
 * so it is the domain's name, the one `virsh` takes) or `-name win11-cad`.
 * QEMU's option syntax doubles a comma to put one in a value (",,").
 * Observe mode sees the command line of every process holding a group; this
 * is the one place that reads a name out of it.
 */
export function guestName(cmdline: string): string | null {
  const m = /(?:^|\s)-name\s+(\S+)/.exec(cmdline);
  if (!m?.[1]) return null;
  // split the option string on single commas (",," is a literal comma)
  const parts = m[1].split(/(?<!,),(?!,)/).map((p) => p.replace(/,,/g, ','));
  const first = parts[0] ?? '';
  const named = parts.find((p) => p.startsWith('guest='));
  const name = named !== undefined ? named.slice('guest='.length) : first.includes('=') ? null : first;
  return name ? name : null;
}
