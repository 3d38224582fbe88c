// Prints a short hash of the native sources. binding.gyp bakes it into the addon so a test can
// prove that the binary in prebuilds/ was built from the native/ sources in this tree.
'use strict'
const { createHash } = require('node:crypto')
const { readdirSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

const dir = __dirname
const hash = createHash('sha256')
for (const name of readdirSync(dir).filter((n) => /\.(cc|h)$/.test(n)).sort()) {
  hash.update(name)
  hash.update('\0')
  hash.update(readFileSync(join(dir, name)))
  hash.update('\0')
}
process.stdout.write(hash.digest('hex').slice(0, 16))
