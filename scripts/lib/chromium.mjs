// Debian's Chromium, as the demo, the benchmark and the tests launch it. Shared
// so the three never drift apart.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A quiet, offline Chromium: this machine reaches no internet, and without
 * these flags Chromium keeps trying (and failing) to reach Google's services.
 */
export const QUIET_FLAGS = [
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];
