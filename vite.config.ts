// Builds the extension twice from the one manifest.json: `--mode chrome`
// (service-worker background) into dist/chrome, `--mode firefox`
// (background.scripts, gecko settings) into dist/firefox.
import { defineConfig } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import baseManifest from './manifest.json' with { type: 'json' };
import packageJson from './package.json' with { type: 'json' };

type Browser = 'chrome' | 'firefox';

function manifestFor(browser: Browser): ManifestV3Export {
  const manifest: Record<string, unknown> = { ...structuredClone(baseManifest), version: packageJson.version };
  if (browser === 'firefox') {
    // Firefox MV3 has no service workers for extensions: an event page with background.scripts.
    manifest.background = { scripts: ['src/background/index.ts'], type: 'module' };
    manifest.browser_specific_settings = {
      // world: "MAIN" content scripts need Firefox 128.
      gecko: {
        id: 'socketscope@socketscope.dev',
        strict_min_version: '128.0',
        // Nothing leaves the browser: recordings stay local until the user exports a file.
        data_collection_permissions: { required: ['none'] },
      },
    };
  }
  return manifest as unknown as ManifestV3Export;
}

export default defineConfig(({ mode }) => {
  const browser: Browser = mode === 'firefox' ? 'firefox' : 'chrome';
  return {
    // The version written into exports (src/env.d.ts), as in vite.cli.config.ts and vitest.config.ts.
    define: { __VERSION__: JSON.stringify(packageJson.version) },
    plugins: [
      crx({
        manifest: manifestFor(browser),
        browser,
        // Both content scripts must run synchronously at document_start, not through CRXJS's async loader
        // (which would let the page's first inline script open a socket before the hook exists).
        contentScripts: { standaloneFiles: ['src/page/hook.ts', 'src/content/relay.ts'] },
      }),
    ],
    build: {
      outDir: `dist/${browser}`,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: {
        // The standalone viewer (imported files, no DevTools, no tab) is opened from the popup, not listed in the manifest.
        input: { panel: 'src/panel/index.html', viewer: 'src/viewer/index.html' },
      },
    },
  };
});
