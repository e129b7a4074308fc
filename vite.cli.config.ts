// Builds the node CLI (src/cli/bin.ts) into one ES module, dist/cli/socketscope.mjs,
// which bin/socketscope.mjs imports. Separate from vite.config.ts, which builds the
// extension with browser targets and the CRXJS plugin.

import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import packageJson from './package.json' with { type: 'json' };

export default defineConfig({
  // The version written into exports (src/env.d.ts), as in vite.config.ts.
  define: { __VERSION__: JSON.stringify(packageJson.version) },
  // The extension's public/ assets have no business in the CLI bundle.
  publicDir: false,
  build: {
    ssr: 'src/cli/bin.ts',
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    // A CLI is read in stack traces and bug reports more than it is downloaded.
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      external: [...builtinModules, /^node:/],
      output: {
        format: 'es',
        entryFileNames: 'socketscope.mjs',
      },
    },
  },
  ssr: {
    target: 'node',
    // src/core has no dependencies today; bundle anything it grows so the CLI stays one file.
    noExternal: true,
  },
});
