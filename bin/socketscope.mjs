#!/usr/bin/env node
// The `socketscope` command. The CLI is TypeScript under src/cli, built by
// `npm run build:cli` into dist/cli/socketscope.mjs, which runs on import.

const built = new URL('../dist/cli/socketscope.mjs', import.meta.url);

try {
  await import(built.href);
} catch (error) {
  // Only a missing bundle gets the friendly message; any other error is real.
  const missing =
    error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('socketscope.mjs');
  if (!missing) throw error;
  process.stderr.write(
    'SocketScope CLI is not built yet: run `npm run build` (or `npm run build:cli`) first.\n',
  );
  process.exitCode = 1;
}
