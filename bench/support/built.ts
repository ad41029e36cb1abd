/**
 * What a bench that runs the product as operators do needs first: the built
 * server CLI (apps/server/dist, rebuilt when its sources are newer) and a web
 * build to serve (made once into `dir` when it has none). The free-port
 * helper is the abuse suite's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../e2e/abuse/server-process.ts';

export { freePort, ROOT } from '../../e2e/abuse/server-process.ts';

export function ensureServerBuilt(): void {
  try {
    execFileSync(process.execPath, [join(ROOT, 'apps/server/build.mjs'), '--check'], { stdio: 'ignore' });
  } catch {
    execFileSync(process.execPath, [join(ROOT, 'apps/server/build.mjs')], { stdio: 'inherit' });
  }
}

/** a web build in `dir`, made when it has no index.html (an existing one is used as it is, even if stale) */
export function ensureWebBuilt(dir: string): void {
  if (existsSync(join(dir, 'index.html'))) return;
  execFileSync('pnpm', ['--filter', '@vfioscope/web', 'exec', 'vite', 'build', '--outDir', dir, '--emptyOutDir'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
