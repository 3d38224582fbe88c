#!/usr/bin/env node
// floatip's entry. For `floatip run` it spawns the engine's worker thread first, so that the
// thread loads its modules while this one loads the command line and reads the config (start-up
// overlaps on two cores; bench/start.ts measures it), then hands the thread to the commands
// (program.ts). Nothing else belongs here.
import { fileURLToPath } from 'node:url'
import { realpathSync } from 'node:fs'
import { EngineThread } from '../daemon/engine-thread.js'

function isEntryScript (): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryScript()) {
  const engine = process.argv[2] === 'run' ? EngineThread.spawn() : undefined
  const { buildProgram } = await import('./program.js')
  await buildProgram({ engine }).parseAsync(process.argv)
}
