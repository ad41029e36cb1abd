// Vite build of the dashboard. In dev, the API, stream and metrics are proxied
// to a locally running `vfioscope serve` so the browser sees one origin.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const server = process.env.VFIOSCOPE_DEV_SERVER ?? 'http://127.0.0.1:7070';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api': { target: server, ws: true, changeOrigin: false },
      '/metrics': { target: server },
    },
  },
});
