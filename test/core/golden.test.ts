// Runs every golden script in test/core/testdata against the core and compares the printed
// effects and states with the file (FLOATIP_REWRITE=1 rewrites them; review before committing).
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from './script.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

t.ok(files.length > 0, 'golden scripts exist');
for (const file of files) {
  t.test(file, async (t) => {
    const path = join(dir, file);
    const expected = readFileSync(path, 'utf8');
    const actual = runScript(expected);
    if (process.env.FLOATIP_REWRITE === '1' && actual !== expected) writeFileSync(path, actual);
    else t.equal(actual, expected, `${file} matches its recorded effects`);
  });
}
