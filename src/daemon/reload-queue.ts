// Runs reloads one at a time: a SIGHUP while a reload runs asks for exactly one more after it
// (the file may have changed again meanwhile); more SIGHUPs meanwhile add nothing. A reload that
// throws is logged and the daemon runs on.
import type { Logger } from '../io/logger.js'

export class ReloadQueue {
  readonly #reload: () => Promise<void>
  readonly #log: Logger
  #running: Promise<void> | null = null
  #again = false

  constructor (reload: () => Promise<void>, log: Logger) {
    this.#reload = reload
    this.#log = log
  }

  /** Resolves when the reloads asked for so far have run. */
  async request (): Promise<void> {
    if (this.#running !== null) {
      this.#again = true
      return await this.#running
    }
    this.#running = this.#loop()
    return await this.#running
  }

  async #loop (): Promise<void> {
    try {
      do {
        this.#again = false
        try {
          await this.#reload()
        } catch (err) {
          this.#log.error({ err }, 'reload failed; the running configuration stays')
        }
      } while (this.#again)
    } finally {
      this.#running = null
    }
  }
}
