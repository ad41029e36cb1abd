// Vite build of the dashboard. In dev, the API, stream and metrics are proxied
// to a locally running `vfioscope serve` so the browser sees one origin.
//
// The build: content-hashed files under assets/ (the server caches them for a
// year), no source maps, the views other than topology in chunks of their own
// (src/app/App.tsx imports them lazily) and recharts with its dependencies in
// one more, which only those views load. Beside each asset the build writes
// NAME.br and NAME.gz, compressed once at the highest settings, which the
// server sends as they are (apps/server/src/web/static.ts) instead of
// compressing on every request on the host it watches.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const server = process.env.VFIOSCOPE_DEV_SERVER ?? 'http://127.0.0.1:7070';

/** recharts and what it alone depends on (its package.json's dependencies, d3 through victory-vendor). */
const RECHARTS =
  /[\\/]node_modules[\\/](recharts|@reduxjs[\\/]toolkit|react-redux|redux|redux-thunk|reselect|immer|clsx|decimal\.js-light|es-toolkit|eventemitter3|tiny-invariant|use-sync-external-store|victory-vendor|d3-[a-z-]+|internmap|react-is)[\\/]/;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9) beside each text asset of 1 KiB or more, when smaller. */
function precompress(): Plugin {
  return {
    name: 'vfioscope-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      const files = Object.keys(bundle).filter((f) => f.startsWith('assets/') && /\.(js|css|svg|json|txt)$/.test(f));
      await Promise.all(
        files.map(async (f) => {
          const raw = await readFile(join(dir, f));
          if (raw.length < 1024) return;
          const [br, gz] = await Promise.all([
            brotli(raw, {
              params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
            }),
            gzip(raw, { level: 9 }),
          ]);
          if (br.length < raw.length) await writeFile(join(dir, `${f}.br`), br);
          if (gz.length < raw.length) await writeFile(join(dir, `${f}.gz`), gz);
        }),
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: 'recharts', test: RECHARTS, includeDependenciesRecursively: false }] } },
    },
  },
  server: {
    proxy: {
      '/api': { target: server, ws: true, changeOrigin: false },
      '/metrics': { target: server },
    },
  },
});
