#!/usr/bin/env node
// What each binary decoder adds to a bundle: builds one tiny entry per
// library and per src/core/decoders module with vite (minified, es2022, the
// extension's target) and prints KiB minified and gzipped (level 9), and
// whether the output holds code generation from strings (`Function(`), which
// an MV3 extension page's policy refuses to run.
//   node scripts/bundle-size.mjs
import { build } from 'vite';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository, so that bare imports resolve from its node_modules.
const work = join(root, 'test-results', 'bundle-size');
const core = join(root, 'src', 'core');

const entries = {
  '@msgpack/msgpack (Decoder)': `import { Decoder } from '@msgpack/msgpack'; globalThis.out = Decoder;`,
  'cbor2 (decode)': `import { decode } from 'cbor2'; globalThis.out = decode;`,
  'protobufjs/minimal (Reader)': `import { Reader } from 'protobufjs/minimal'; globalThis.out = Reader;`,
  'protobufjs (full: parse)': `import protobuf from 'protobufjs'; globalThis.out = protobuf.parse;`,
  'core/decoders/msgpack': `import { decodeMsgpack } from '${core}/decoders/msgpack'; globalThis.out = decodeMsgpack;`,
  'core/decoders/cbor': `import { decodeCbor } from '${core}/decoders/cbor'; globalThis.out = decodeCbor;`,
  'core/decoders/protobuf (schemaless)': `import { decodeProtobufRaw } from '${core}/decoders/protobuf'; globalThis.out = decodeProtobufRaw;`,
  'core/decoders/protobufSchema': `import { decodeProtobufWithSchema } from '${core}/decoders/protobufSchema'; globalThis.out = decodeProtobufWithSchema;`,
  'core/decoders/mqtt': `import { decodeMqtt } from '${core}/decoders/mqtt'; globalThis.out = decodeMqtt;`,
  'core/decoders/socketIoBinary': `import { assembleSocketIoBinary } from '${core}/decoders/socketIoBinary'; globalThis.out = assembleSocketIoBinary;`,
  'core/decoders (index: all)': `import * as all from '${core}/decoders/index'; globalThis.out = all;`,
  'core/copyAsCode': `import { copyAsCode } from '${core}/copyAsCode'; globalThis.out = copyAsCode;`,
};

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const rows = [];
let i = 0;
for (const [name, source] of Object.entries(entries)) {
  const entry = join(work, `entry${i}.js`);
  const outDir = join(work, `out${i++}`);
  writeFileSync(entry, `${source}\n`);
  await build({
    logLevel: 'error',
    configFile: false,
    root: work,
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: true, rollupOptions: { input: entry, output: { entryFileNames: 'x.js', codeSplitting: false } } },
  });
  const code = Buffer.concat(readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(outDir, file))));
  rows.push({ bundle: name, 'KiB min': +(code.length / 1024).toFixed(1), 'KiB gzip': +(gzipSync(code, { level: 9 }).length / 1024).toFixed(1), 'Function(': /\bFunction\(/.test(code.toString('utf8')) });
}
rmSync(work, { recursive: true, force: true });
console.table(rows);
