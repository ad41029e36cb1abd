// Builds the `vfioscope` CLI into apps/server/dist/vfioscope.js (plus chunks
// beside it), so that `node apps/server/dist/vfioscope.js serve` starts without
// compiling TypeScript on the fly (through tsx, serve took 5–6 s to a first
// /health on a 2-core machine and over 120 s in the QEMU guest).
//
//   node apps/server/build.mjs           build (takes ~1 s)
//   node apps/server/build.mjs --check   exit 0 if the build is up to date, 1 if not
//
// scripts/bootstrap.sh and e2e/kernel/run.sh build it when stale; the root
// `pnpm vfioscope` runs apps/server/vfioscope.mjs, which does the same check.
//
// - ESM for Node 20, code splitting: the dynamic imports of
//   @vfioscope/host-linux (the only importer of the native ffi-rs) and
//   @vfioscope/host-sim stay chunks of their own, loaded only when asked for
//   (checked below: nothing reaches the host-linux chunk statically).
// - The workspace's own TypeScript (apps/server/src, packages/*/src) is
//   bundled; third-party packages stay external. pnpm is strict (ffi-rs and
//   @sinclair/typebox are not resolvable from apps/server), so each bare
//   third-party import is resolved from the file that imports it, the way
//   Node's ESM loader would, and written as a path relative to dist/
//   (relative, so the checkout can move and the guest's 9p view works).
// - `import.meta.url` in a bundled source file is rewritten to that source
//   file's own URL (computed relative to the bundle at run time), so paths the
//   code derives from it (apps/server/src/web/static.ts: ../../../web/dist)
//   resolve as they do under tsx, and main.ts's "executed directly" check
//   stays false: the bundle's entry calls main() itself.
// - Output files are written so that a server starting during a rebuild never
//   sees a half-written dist/: each by rename, chunks (content-hashed names)
//   first, the entry last; files no longer written are removed once they are
//   10 minutes old (a server started before the rebuild may still import them).
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SERVER = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(SERVER, '../..');
export const OUTDIR = join(SERVER, 'dist');
export const BUNDLE = join(OUTDIR, 'vfioscope.js');
const ENTRY = 'vfioscope-cli-entry';
/**
 * packages that load native code (ffi-rs: host-linux's seam; ws's optional speed-ups), and optional
 * add-ons required inside a try/catch when installed (debug's supports-color, under @fastify/swagger)
 */
const KEEP_EXTERNAL = /^(ffi-rs|@yuuang\/ffi-rs-|bufferutil|utf-8-validate|supports-color)(\/|$)/;
const STALE_CHUNK_MS = 10 * 60_000;

/** What the bundle is built from: when any of it is newer than the bundle, rebuild. */
function inputs() {
  const pkgs = readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p));
  return {
    trees: [join(SERVER, 'src'), ...pkgs.map((p) => join(p, 'src'))],
    files: [
      join(SERVER, 'build.mjs'),
      join(SERVER, 'package.json'),
      ...pkgs.map((p) => join(p, 'package.json')),
      join(ROOT, 'pnpm-lock.yaml'),
      join(ROOT, 'tsconfig.json'),
      join(ROOT, 'tsconfig.base.json'),
      // rewritten by every `pnpm install`: third-party paths in the bundle may have moved
      join(ROOT, 'node_modules/.modules.yaml'),
    ],
  };
}

/** The first input newer than the bundle (a file or a directory, so deletions count), or null when up to date. */
export function staleInput() {
  let built;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    return BUNDLE;
  }
  const newer = (p) => {
    try {
      return statSync(p).mtimeMs > built;
    } catch {
      return false;
    }
  };
  const { trees, files } = inputs();
  for (const f of files) if (newer(f)) return f;
  const walk = (dir) => {
    if (newer(dir)) return dir;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      const hit = e.isDirectory() ? walk(p) : newer(p) ? p : null;
      if (hit) return hit;
    }
    return null;
  };
  for (const t of trees) {
    const hit = walk(t);
    if (hit) return hit;
  }
  return null;
}

/** A specifier relative to OUTDIR (every output file lands directly in it). */
const fromOutdir = (file) => {
  const rel = relative(OUTDIR, file).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};
const inNodeModules = (file) => file.split(sep).includes('node_modules');

/** @type {import('esbuild').Plugin} */
const workspacePlugin = {
  name: 'vfioscope-workspace',
  setup(b) {
    // the entry: what main.ts's "run when executed directly" block does
    b.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: ENTRY }));
    b.onLoad({ filter: /.*/, namespace: ENTRY }, () => ({
      resolveDir: join(SERVER, 'src/cli'),
      loader: 'ts',
      contents: `import { main } from './main.ts';
main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});
`,
    }));

    // bare imports: bundled (workspace and third-party alike: one file to read instead of ~900 CommonJS
    // files, which halves start-up in the QEMU guest where every file access crosses 9p), except the
    // native module and the optional native add-ons, which stay external, resolved from their importer
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || isBuiltin(args.path)) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
      // an optional add-on that is not installed: ws's (and debug's) require() of it sits in a try/catch
      if (r.errors.length && KEEP_EXTERNAL.test(args.path)) return { path: args.path, external: true };
      if (r.errors.length) return { errors: r.errors };
      if (r.external || !inNodeModules(r.path) || !KEEP_EXTERNAL.test(args.path)) {
        return { path: r.path, namespace: r.namespace, external: r.external, sideEffects: r.sideEffects, suffix: r.suffix };
      }
      return { path: fromOutdir(r.path), external: true };
    });

    // import.meta.url in each bundled source file: that file's own URL
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (inNodeModules(args.path)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const own = `new URL(${JSON.stringify(fromOutdir(args.path))}, import.meta.url).href`;
      return { contents: text.replace(/\bimport\.meta\.url\b/g, own), loader: 'ts' };
    });
  },
};

/** Fails when the host-linux chunk (and with it ffi-rs) would load with the entry, i.e. for the sim too. */
function checkLinuxStaysLazy(metafile) {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint);
  const reached = new Set();
  const walk = (f) => {
    if (reached.has(f)) return;
    reached.add(f);
    for (const i of outputs[f]?.imports ?? []) if (!i.external && i.kind === 'import-statement') walk(i.path);
  };
  walk(entry);
  const bad = [...reached].filter(
    (f) =>
      Object.keys(outputs[f].inputs).some((p) => p.includes('packages/host-linux/')) ||
      outputs[f].imports.some((i) => i.external && i.path.includes('/ffi-rs/')),
  );
  if (bad.length)
    throw new Error(
      `host-linux / ffi-rs is reached statically from the entry (in ${bad.join(', ')}): the sim would load the native module`,
    );
}

export async function buildServer() {
  const started = Date.now();
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [{ in: ENTRY, out: 'vfioscope' }],
    outdir: OUTDIR,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // resolve third-party packages as Node's ESM loader does (no "module" condition or field)
    conditions: ['node'],
    mainFields: ['main'],
    keepNames: true,
    sourcemap: false,
    legalComments: 'none',
    // bundled CommonJS packages call require() for Node's built-ins, and some read __dirname
    banner: {
      js: "import { createRequire as __vfioscopeCreateRequire } from 'node:module'; const require = __vfioscopeCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    metafile: true,
    write: false,
    absWorkingDir: ROOT,
    plugins: [workspacePlugin],
  });
  checkLinuxStaysLazy(result.metafile);

  // every file through a temporary name and rename; the entry last, stamped with the time the build
  // started, so that a source saved during the build still counts as newer
  await mkdir(OUTDIR, { recursive: true });
  const put = async (path, contents) => {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, contents);
    await rename(tmp, path);
  };
  const entry = result.outputFiles.find((f) => f.path === BUNDLE);
  for (const f of result.outputFiles) if (f !== entry) await put(f.path, f.contents);
  await put(BUNDLE, entry.contents);
  await utimes(BUNDLE, started / 1000, started / 1000);
  const written = new Set(result.outputFiles.map((f) => basename(f.path)));
  const now = Date.now();
  for (const name of await readdir(OUTDIR)) {
    if (written.has(name)) continue;
    const p = join(OUTDIR, name);
    const s = await stat(p).catch(() => null);
    if (s && now - s.mtimeMs > STALE_CHUNK_MS) await rm(p, { recursive: true, force: true });
  }
}

/** Rebuilds when stale; returns what made it stale, or null when it was up to date. */
export async function ensureServerBuild() {
  const why = staleInput();
  if (why) await buildServer();
  return why;
}

if (process.argv[1] && existsSync(process.argv[1]) && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  if (process.argv.includes('--check')) {
    process.exitCode = staleInput() ? 1 : 0;
  } else {
    try {
      await buildServer();
    } catch (e) {
      if (!e.errors) console.error(`apps/server/build.mjs: ${e.message}`);
      process.exitCode = 1;
    }
  }
}
