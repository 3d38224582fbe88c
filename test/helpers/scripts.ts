// Test scripts written to disk: `#!/bin/sh` and the body, executable (0755).
import { chmodSync, writeFileSync } from 'node:fs'

export function writeScript (path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}`)
  chmodSync(path, 0o755)
  return path
}
