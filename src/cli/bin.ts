// Entry point of the `socketscope` command (built to dist/cli/socketscope.mjs).
// Kept apart from main.ts so tests can run main() in-process without touching
// process.exitCode.

import { main } from './main';

// `socketscope analyze big.har | head` closes the pipe early; that is the reader's choice, not an error to report with a stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  // exitCode rather than process.exit(): exit() would cut off output still queued for a pipe.
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`socketscope: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
