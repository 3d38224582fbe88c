#!/usr/bin/env node
// floatip command line: commander wiring only. Each command lives in its own module under
// src/cli/commands/ and exports a `register(program)` function; this file must not grow logic.
import { Command } from 'commander'
import { fileURLToPath } from 'node:url'
import { readFileSync, realpathSync } from 'node:fs'
import { register as registerCheckConfig } from './commands/check-config.js'
import { register as registerDumpConfig } from './commands/dump-config.js'
import { register as registerRun } from './commands/run.js'

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
  registerCheckConfig(program)
  registerDumpConfig(program)
  registerRun(program)
  return program
}

function isEntryScript (): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryScript()) await buildProgram().parseAsync(process.argv)
