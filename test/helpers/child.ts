// Spawning a child Node process that runs a TypeScript fixture the way tap runs tests (with
// tap's TypeScript loader), and collecting its exit and output. Bounded by a timeout.
import { spawn } from 'node:child_process'
import type { SpawnOptions } from 'node:child_process'

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The execArgv that loads TypeScript, taken from the current (tap-run) process. */
export function typescriptLoaderArgs (): string[] {
  return process.execArgv.filter((arg) => arg.includes('@tapjs/typescript') || arg.includes('tsx') || arg.includes('ts-node'))
}

export function runTsChild (script: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<ChildResult> {
  const child = spawn(process.execPath, [...typescriptLoaderArgs(), script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/**
 * Runs a built JavaScript file with this Node (no TypeScript loader). On timeout it gets SIGINT
 * (a lab-owning program removes its lab then), and SIGKILL `graceMs` later if still running.
 */
export function runNodeChild (script: string, args: string[], options: { timeoutMs: number, graceMs?: number }): Promise<ChildResult & { pid: number, timedOut: boolean }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let timedOut = false
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return new Promise((resolve) => {
    let killTimer: NodeJS.Timeout | undefined
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGINT')
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 5000)
    }, options.timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearTimeout(killTimer)
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1, timedOut })
    })
  })
}
