// Debian's Firefox ESR, as the benchmark and the tests launch it. Shared so the two never drift apart.
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Quiet and offline: this machine reaches no internet, and without these Firefox keeps trying to. */
export const QUIET_PREFS = {
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.update.enabled': false,
};
