import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

// The decoders as the panel will ship them: bundled for the browser by vite,
// then run where code generation from strings is refused, as an MV3 extension
// page's content security policy refuses eval and new Function.
test('bundled for the browser, the decoders run with eval refused and import no Node built-in', async () => {
  const dir = resolve('test-results', `decoders-bundle-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(entry, `export * from ${JSON.stringify(resolve('src/core/decoders/index.ts'))};\n`);
    await build({
      logLevel: 'error',
      configFile: false,
      root: dir,
      build: { outDir: join(dir, 'out'), target: 'es2022', minify: true, lib: { entry, formats: ['es'], fileName: 'decoders' } },
    });
    const [bundle] = readdirSync(join(dir, 'out')).filter((file) => file.endsWith('.js'));
    const code = readFileSync(join(dir, 'out', bundle), 'utf8');
    expect(code).not.toMatch(/from\s*["'](node:)?(fs|buffer|util|stream|path)["']/);
    const check = join(dir, 'check.mjs');
    writeFileSync(
      check,
      `const d = await import(${JSON.stringify(join(dir, 'out', bundle))});
const hex = (s) => Uint8Array.from(s.match(/../g).map((x) => parseInt(x, 16)));
const proto = 'syntax = "proto3"; message M { uint64 id = 1; string name = 2; repeated sint32 v = 3; }';
console.log(JSON.stringify([
  d.decodeBinary('msgpack', hex('81a16101')),
  d.decodeBinary('cbor', hex('5f420102ff')),
  d.decodeBinary('protobuf', hex('089601')),
  d.decodeBinary('protobuf-schema', hex('08ffffffffffffffffff0112026869' + '1a020203'), { protobufSchema: { proto, messageType: 'M' } }),
  d.decodeBinary('mqtt', hex('c000')),
]));
`,
    );
    const output = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', check], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([
      { ok: true, decoder: 'msgpack', value: { a: 1 } },
      { ok: true, decoder: 'cbor', value: { hex: '0102' } },
      { ok: true, decoder: 'protobuf', value: [{ field: 1, wireType: 'varint', value: 150 }] },
      { ok: true, decoder: 'protobuf-schema', value: { id: '18446744073709551615', name: 'hi', v: [1, -2] } },
      { ok: true, decoder: 'mqtt', value: [{ type: 'PINGREQ', summary: 'PINGREQ (keep-alive ping)', fields: {} }] },
    ]);
    // The control: protobufjs's own generated decoder cannot run there.
    writeFileSync(check, `import protobuf from 'protobufjs';\nconst M = protobuf.parse('syntax = "proto3"; message M { uint64 id = 1; }').root.lookupType('M');\ntry { M.decode(Uint8Array.of(8, 1)); console.log('ran'); } catch (error) { console.log(error.constructor.name); }\n`);
    expect(execFileSync(process.execPath, ['--disallow-code-generation-from-strings', check], { encoding: 'utf8' }).trim()).toBe('EvalError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
