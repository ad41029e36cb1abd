// `pnpm vfioscope <verb>` (the root package.json): runs the built CLI,
// apps/server/dist/vfioscope.js, rebuilding it first when a source is newer
// than it (apps/server/build.mjs; esbuild is loaded only then), so that an
// edit in apps/server/src or packages/*/src is never served stale. The
// up-to-date check stats the ~300 source files and directories: a few ms.
import { BUNDLE, ensureServerBuild } from './build.mjs';
import { pathToFileURL } from 'node:url';

try {
  await ensureServerBuild();
} catch (e) {
  if (!e.errors) console.error(`vfioscope: building the CLI failed: ${e.message}`);
  process.exit(1);
}
await import(pathToFileURL(BUNDLE).href);
