// Pulls a router's cable (its switch port, admin down) at a moment the demo chooses, within a
// fraction of a millisecond: `ip -batch -` is started in the switch namespace beforehand and
// pull() only writes it one line. lab.setLinkDown() would spawn `ip` on the spot, which takes
// from 2 to over 30 ms on a busy 2-core VM, too vague to time a failover against. Owns: that one
// helper process. Must not: touch links other than the router's LAN 0 switch port.
import type { ChildProcess } from 'node:child_process'
import { waitFor, type Lab } from '../lab/index.js'

const EXIT_WAIT_MS = 2000

export class Cable {
  readonly #lab: Lab
  readonly #port: string
  readonly #ip: ChildProcess
  readonly #stderr: string[] = []

  constructor (lab: Lab, router: string) {
    this.#lab = lab
    this.#port = lab.node(router).links[0].switchPort
    this.#ip = lab.spawn('sw', ['ip', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] })
    this.#ip.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.#stderr.push(chunk) })
  }

  /** Sets the switch port down now; pulled() confirms it. */
  pull (): void {
    this.#ip.stdin?.write(`link set ${this.#port} down\n`)
  }

  /** Resolves once the port is down; fails with ip's error otherwise. */
  async pulled (timeoutMs = 2000): Promise<void> {
    await waitFor(async () => {
      if (this.#stderr.length > 0) throw new Error(`ip -batch: ${this.#stderr.join('').trim()}`)
      const { stdout } = await this.#lab.run('sw', ['ip', '-o', 'link', 'show', 'dev', this.#port])
      return !/[<,]UP[,>]/.test(stdout)
    }, { timeoutMs, intervalMs: 10, what: `switch port ${this.#port} to be down` })
  }

  /** Ends the helper (end of input, then SIGKILL after a bounded wait). Idempotent. */
  async close (): Promise<void> {
    if (this.#ip.exitCode !== null || this.#ip.signalCode !== null) return
    this.#ip.stdin?.end()
    if (!await this.#lab.waitExit(this.#ip, EXIT_WAIT_MS)) {
      this.#lab.kill(this.#ip, 'SIGKILL')
      await this.#lab.waitExit(this.#ip, EXIT_WAIT_MS)
    }
  }
}
