// floatip command line: commander wiring only. Each command lives in its own module under
// src/cli/commands/ and exports a `register(program)` function; this file must not grow logic.
// The entry is main.ts.
import { Command } from 'commander'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import type { EngineThread } from '../daemon/engine-thread.js'
import { register as registerCheckConfig } from './commands/check-config.js'
import { register as registerDumpConfig } from './commands/dump-config.js'
import { register as registerRun } from './commands/run.js'

function packageVersion (): string {
  const pkgPath = fileURLToPath(new URL('../../../package.json', import.meta.url))
  return (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version
}

export interface ProgramOptions {
  /** `floatip run`'s engine thread, if main.ts spawned it before loading the command line. */
  engine?: EngineThread
}

export function buildProgram (options: ProgramOptions = {}): Command {
  const program = new Command()
  program
    .name('floatip')
    .description('VRRP high-availability daemon, a drop-in for the VRRP side of keepalived')
    .version(packageVersion())
  registerCheckConfig(program)
  registerDumpConfig(program)
  registerRun(program, options.engine)
  return program
}
