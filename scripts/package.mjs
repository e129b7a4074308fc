#!/usr/bin/env node
// npm run package: store-ready archives of the extension.
//   dist/socketscope-chrome-<version>.zip   dist/chrome zipped (Chrome Web Store, or unzip and "Load unpacked")
//   dist/socketscope-firefox-<version>.zip  dist/firefox through `web-ext build` (addons.mozilla.org)
// <version> is package.json's; vite.config.ts writes it into both manifests.
// Then it checks what it wrote: each archive has manifest.json at its root
// with that version and every file of its folder, or the script exits 1.
//   node scripts/package.mjs [--no-build]   (--no-build: package the dist/ already built)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles, readZip, zipDirectory } from './lib/zip.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];

function run(command, args, options = {}) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`error: ${command} exited with ${result.status ?? result.signal}`);
    process.exit(1);
  }
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

if (!process.argv.includes('--no-build')) run('npm', ['run', 'build']);

const targets = [
  { browser: 'chrome', source: join(dist, 'chrome'), zip: join(dist, `socketscope-chrome-${version}.zip`) },
  { browser: 'firefox', source: join(dist, 'firefox'), zip: join(dist, `socketscope-firefox-${version}.zip`) },
];

for (const target of targets) {
  const manifestPath = join(target.source, 'manifest.json');
  if (!existsSync(manifestPath)) {
    console.error(`error: ${relative(root, manifestPath)} is missing: run npm run build (or drop --no-build).`);
    process.exit(1);
  }
  const built = JSON.parse(readFileSync(manifestPath, 'utf8')).version;
  if (built !== version) {
    console.error(`error: ${relative(root, manifestPath)} says version ${built}, package.json says ${version}: rebuild (npm run build).`);
    process.exit(1);
  }
  rmSync(target.zip, { force: true });
}

// Chrome: the Web Store takes a ZIP with manifest.json at its root.
const chrome = targets[0];
if (hasCommand('zip')) {
  // -X: no extra file attributes; -D: no directory entries; hidden files (.vite/) left out, as web-ext does.
  run('zip', ['-q', '-r', '-X', '-D', chrome.zip, '.', '-x', '.*', '*/.*'], { cwd: chrome.source });
} else {
  console.log(`$ (no zip command) scripts/lib/zip.mjs ${relative(root, chrome.source)} → ${relative(root, chrome.zip)}`);
  zipDirectory(chrome.source, chrome.zip);
}

// Firefox: web-ext builds what addons.mozilla.org expects.
const firefox = targets[1];
const webExt = join(root, 'node_modules', '.bin', 'web-ext');
run(webExt, ['build', '--source-dir', firefox.source, '--artifacts-dir', dist, '--filename', `socketscope-firefox-${version}.zip`, '--overwrite-dest']);

// Check what was written.
for (const target of targets) {
  const name = relative(root, target.zip);
  let archive;
  try {
    archive = readZip(target.zip);
  } catch (error) {
    problems.push(`${name}: ${error.message}`);
    continue;
  }
  if (!archive.names.includes('manifest.json')) {
    problems.push(`${name} has no manifest.json at its root`);
    continue;
  }
  const manifest = JSON.parse(archive.read('manifest.json').toString('utf8'));
  if (manifest.version !== version) problems.push(`${name}: manifest.json says version ${manifest.version}, package.json says ${version}`);
  if (target.browser === 'chrome' && !manifest.background?.service_worker) problems.push(`${name}: manifest.json has no background.service_worker`);
  if (target.browser === 'firefox' && !manifest.browser_specific_settings?.gecko?.id) problems.push(`${name}: manifest.json has no browser_specific_settings.gecko.id`);
  const expected = listFiles(target.source);
  const files = archive.names.filter((entry) => !entry.endsWith('/'));
  const missing = expected.filter((file) => !files.includes(file));
  const extra = files.filter((file) => !expected.includes(file));
  if (missing.length) problems.push(`${name} lacks ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
  if (extra.length) problems.push(`${name} has files not in ${relative(root, target.source)}: ${extra.slice(0, 5).join(', ')}`);
  for (const file of files) archive.read(file); // every entry inflates and matches its CRC
  console.log(`${name}: ${files.length} files, ${(statSync(target.zip).size / 1024).toFixed(1)} KiB, manifest version ${manifest.version}`);
}

if (problems.length) {
  for (const problem of problems) console.error(`error: ${problem}`);
  process.exit(1);
}
console.log(`Packages for version ${version} are in ${relative(root, dist)}/.`);
