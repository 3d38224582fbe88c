// The layer rule for src/core: relative imports inside src/core only; no node:*, native, io,
// engine, daemon, protocol or pino; no clock reads.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../src/core');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

t.ok(files.length >= 5, 'core sources found');
for (const f of files) {
  const src = readFileSync(join(dir, f), 'utf8');
  const specs = [...src.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
  for (const s of specs) t.match(s, /^\.\/[a-z0-9-]+\.js$/, `${f} imports only core siblings (${s})`);
  t.notMatch(src, /Date\.now|performance\.now|process\.|setTimeout|setInterval|hrtime/, `${f} reads no clock`);
}
