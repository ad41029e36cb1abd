import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Real-kernel tests (*.kernel.test.ts), run only inside the QEMU guest by
// e2e/kernel/guest-tests.sh. The guest sees the repository on a read-only 9p
// root, so every cache and temp file goes to the guest's tmpfs, and the files
// run one after another: a VFIO group can be open in only one process at a time.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  cacheDir: '/tmp/vitest-cache',
  test: {
    include: ['packages/host-linux/src/**/*.kernel.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    watch: false,
  },
});
