/**
 * Hold /dev/vfio/N open from another process (a shell that opens it on fd 3
 * and sleeps), the way a VM's QEMU holds a group: for EBUSY and owner tests
 * against a real kernel.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { VfioError } from '@vfioscope/host';

export async function holdGroupInChild(devRoot: string, group: number): Promise<() => Promise<void>> {
  const path = join(devRoot, 'vfio', String(group));
  const child = spawn('/bin/sh', ['-c', `exec 3<>"$0" || exit 1; echo held; exec sleep 3600`, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const held = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!held) {
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    await exited;
    throw VfioError.fromErrno(16 /* EBUSY */, 'open', `a child process could not open ${path}: ${err.trim()}`, { group });
  }
  return async () => {
    child.kill('SIGKILL');
    await exited;
  };
}
