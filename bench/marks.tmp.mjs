import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startBenchServer } from './lib/server.mjs';
import { CHROMIUM_PATH } from './lib/browser.mjs';
import { median } from './lib/stats.mjs';
const source = readFileSync('/tmp/ab/hook-marked.js', 'utf8');
const server = await startBenchServer(new URL('./pages', import.meta.url).pathname);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
const ctx = await browser.newContext();
const rows = [];
for (let i = 0; i < 31; i++) {
  const page = await ctx.newPage();
  await page.goto(`${server.origin}/empty.html?m=${i}&isolated`);
  const r = await page.evaluate((text) => {
    window.__m = [];
    const s = document.createElement('script'); s.textContent = text;
    const t0 = performance.now(); document.head.appendChild(s); const t1 = performance.now();
    return [t0, ...window.__m, t1];
  }, `${source}\n// ${i} ${Math.random()}`);
  if (i) rows.push(r.slice(1).map((v, k) => v - r[k]));
  await page.close();
}
const names = (process.env.NAMES ?? '').split(',');
rows[0].forEach((_, k) => console.log(String(names[k] ?? k).padEnd(34), median(rows.map((r) => r[k])).toFixed(3)));
console.log('total', median(rows.map((r) => r.reduce((a, b) => a + b, 0))).toFixed(3));
await browser.close(); process.exit(0);
