// Runs VRRP daemons on lab nodes: floatip (the built CLI, `dist/src/cli/main.js run`) and
// keepalived (Debian's binary), each with a keepalived.conf written to a private temporary
// directory, inside the node's namespace. Collects floatip's JSON log lines so callers can wait
// for a transition. Processes are the lab's (ended by pid at destroy); the directory is removed
// by close(). Must not: find or signal processes by name.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { packageRoot } from '../native/index.js'
import type { Lab, NsRef } from './lab.js'
import { waitFor } from './wait-for.js'
import { onLines } from './lines.js'

export type LogLine = Record<string, unknown> & { msg?: string, instance?: string }

export interface RunningDaemon {
  kind: 'floatip' | 'keepalived'
  node: string
  child: ChildProcess
  configPath: string
  /** The daemon's private TMPDIR: its SIGUSR1/SIGUSR2 dumps (keepalived.data, keepalived.stats). */
  tmpDir: string
  /** floatip: parsed JSON log lines (stdout); keepalived: empty. */
  readonly logs: LogLine[]
  /** Raw stderr (floatip's config diagnostics, keepalived's console log). */
  readonly stderr: string[]
  /** Resolves with the first log line at index >= `from` (default 0) that matches. */
  waitForLog: (match: (line: LogLine) => boolean, what: string, options?: { timeoutMs?: number, from?: number }) => Promise<LogLine>
}

export const FLOATIP_CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js')

export class LabDaemons {
  readonly dir: string
  readonly #lab: Lab
  #count = 0

  constructor (lab: Lab) {
    this.#lab = lab
    this.dir = mkdtempSync(join(tmpdir(), `floatip-${lab.prefix}`))
  }

  writeConfig (node: string, text: string): string {
    const path = join(this.dir, `${node}-${++this.#count}.conf`)
    writeFileSync(path, text)
    return path
  }

  floatip (node: string, configText: string, extraArgs: string[] = []): RunningDaemon {
    const configPath = this.writeConfig(node, configText)
    const tmpDir = this.#privateTmp(node)
    const child = this.#lab.spawn(node as NsRef, [process.execPath, FLOATIP_CLI, 'run', '-f', configPath, ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpDir } })
    return track('floatip', node, child, configPath, tmpDir)
  }

  /** `detailedLog: false` leaves out -D (as Debian's service runs it): the benches measure with it off. */
  keepalived (node: string, configText: string, options: { detailedLog?: boolean } = {}): RunningDaemon {
    const configPath = this.writeConfig(node, configText)
    const base = join(this.dir, `${node}-${this.#count}`)
    // -n foreground, -l log to the console, -P VRRP only, -D detailed log, private pid files so
    // nothing clashes; TMPDIR: its SIGUSR1/SIGUSR2/JSON dumps go to a private directory, not /tmp.
    const detailed = (options.detailedLog ?? true) ? ['-D'] : []
    const tmpDir = this.#privateTmp(node)
    const child = this.#lab.spawn(node as NsRef, ['keepalived', '-n', '-l', '-P', ...detailed, '-f', configPath, '-p', `${base}.pid`, '-r', `${base}.vrrp.pid`],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmpDir } })
    return track('keepalived', node, child, configPath, tmpDir)
  }

  /** One TMPDIR per daemon, so that two daemons' dumps never overwrite each other. */
  #privateTmp (node: string): string {
    const dir = join(this.dir, `${node}-${this.#count}.tmp`)
    mkdirSync(dir, { mode: 0o700 })
    return dir
  }

  close (): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

function track (kind: RunningDaemon['kind'], node: string, child: ChildProcess, configPath: string, tmpDir: string): RunningDaemon {
  const logs: LogLine[] = []
  const stderr: string[] = []
  onLines(child.stdout, (line) => {
    if (kind !== 'floatip') { stderr.push(line); return }
    try { logs.push(JSON.parse(line) as LogLine) } catch { stderr.push(line) }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr.push(...chunk.split('\n').filter((l) => l !== '')) })
  const waitForLog = async (match: (line: LogLine) => boolean, what: string, options: { timeoutMs?: number, from?: number } = {}): Promise<LogLine> => {
    let found: LogLine | undefined
    const from = options.from ?? 0
    const find = (): boolean => (found = logs.find((line, i) => i >= from && match(line))) !== undefined
    await waitFor(find, { timeoutMs: options.timeoutMs ?? 10_000, intervalMs: 5, what: `${node}: ${what}` })
    return found as LogLine
  }
  return { kind, node, child, configPath, tmpDir, logs, stderr, waitForLog }
}

/** Matches floatip's `state changed` log line of `instance` into `state`. */
export function stateChange (instance: string, state: string): (line: LogLine) => boolean {
  return (line) => line.msg === 'state changed' && line.instance === instance && line.to === state
}

/** The lab nodes (by key) on which `address` is configured now. */
export async function vipHolders (lab: Lab, nodes: readonly string[], address: string): Promise<string[]> {
  const out: string[] = []
  for (const node of nodes) {
    const addresses = await lab.addresses(node as NsRef)
    if (addresses.some((a) => a.address === address)) out.push(node)
  }
  return out
}

/**
 * A running floatip's full status: SIGUSR1 writes floatip.status.json (with keepalived.data) and
 * logs `data` with its path. Resolves with the parsed file.
 */
export async function floatipStatus (lab: Lab, daemon: RunningDaemon, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const from = daemon.logs.length
  lab.kill(daemon.child, 'SIGUSR1')
  const line = await daemon.waitForLog((l) => l.msg === 'data' && typeof l.status === 'string', 'data after SIGUSR1', { from, timeoutMs })
  return JSON.parse(readFileSync(line.status as string, 'utf8')) as Record<string, unknown>
}
