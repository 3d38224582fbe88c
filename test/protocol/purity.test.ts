import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// DEVELOPERS.md layer rule: src/protocol imports nothing from node:*, native, io, engine, daemon
// or pino; STYLE: no Buffer, no clock, no global mutable state in the pure layer.
t.test('src/protocol is pure: no node:*, Buffer, clocks, randomness or outward imports', async (t) => {
  const dir = fileURLToPath(new URL('../../src/protocol/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 8);
  for (const file of files) {
    const source = readFileSync(dir + file, 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const spec of imports) t.match(spec, /^\.\/[a-z0-9-]+\.js$/, `${file} imports ${spec}`);
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    t.notMatch(code, /\bBuffer\b|Date\.now|performance\.now|Math\.random|process\.|require\(/, file);
    t.notMatch(code, /^(let|var) /m, `${file}: no module-level mutable state`);
  }
});
