import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { resolve } from 'node:path';

// The build writes where `imeiguard serve` looks by default (server.console_directory): the
// console/ folder of the CMake build tree, which CMake passes in IMEIGUARD_CONSOLE_OUT.
const outDir = process.env.IMEIGUARD_CONSOLE_OUT || resolve(import.meta.dirname, '../build/console-site');

export default defineConfig({
  plugins: [preact()],
  base: '/console/',
  build: {
    outDir,
    emptyOutDir: true,
    // Source maps would double the bytes the server keeps in memory and are not needed to run.
    sourcemap: false,
    rollupOptions: {
      input: {
        console: resolve(import.meta.dirname, 'index.html'),
        check: resolve(import.meta.dirname, 'check/index.html'),
      },
    },
  },
  test: {
    include: ['src/**/*.test.js'],
  },
});
