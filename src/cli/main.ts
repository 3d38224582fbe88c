#!/usr/bin/env node
// floatip command line: commander wiring only. Each command lives in its own module under
// src/cli/commands/ and exports a `register(program)` function; this file must not grow logic.
import { Command } from 'commander'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'

function packageVersion (): string {
  const pkgPath = fileURLToPath(new URL('../../../package.json', import.meta.url))
  return (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version
}

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('floatip')
    .description('VRRP high-availability daemon, a drop-in for the VRRP side of keepalived')
    .version(packageVersion())
  return program
}

await buildProgram().parseAsync(process.argv)
