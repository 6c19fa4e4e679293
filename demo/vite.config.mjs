// Bundles the /demo SMART app (demo/app.js with fhirclient) into dist/demo/app.js at build time: no CDN.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: `${here}../dist/demo`,
    emptyOutDir: true,
    minify: true,
    lib: { entry: `${here}app.js`, formats: ['iife'], name: 'fhirseedDemo', fileName: () => 'app.js' },
  },
});
