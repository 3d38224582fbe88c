// keepalived's announcement schedule for one instance while it is MASTER: on becoming master,
// `garp_master_repeat` rounds at once and again after `garp_master_delay`, then every
// `garp_master_refresh` (`garp_master_refresh_repeat` rounds); after a lower-priority advert,
// `garp_lower_prio_repeat` rounds at once and after `garp_lower_prio_delay`. Timers run on the
// native loop; stop() ends everything when the instance leaves MASTER.
import type { IoLoop, Timer } from '../native/index.js'
import type { Announcer } from '../io/announcer.js'
import type { GarpPlan } from './instance-plan.js'
import type { GarpTrigger } from '../core/index.js'

export class GarpSchedule {
  readonly #loop: IoLoop
  readonly #announcer: Announcer
  readonly #plan: GarpPlan
  readonly #second: Timer
  readonly #refresh: Timer
  #secondRounds = 0
  sent = 0

  constructor (loop: IoLoop, announcer: Announcer, plan: GarpPlan) {
    this.#loop = loop
    this.#announcer = announcer
    this.#plan = plan
    this.#second = loop.createTimer((firedUs) => this.#round(this.#secondRounds, firedUs))
    this.#refresh = loop.createTimer((firedUs) => {
      this.#round(this.#plan.refreshRepeat, firedUs)
      this.#refresh.set(firedUs + this.#plan.refreshUs)
    })
  }

  start (trigger: GarpTrigger, nowUs: number): void {
    const p = this.#plan
    const master = trigger === 'became-master'
    const rounds = master ? p.masterRepeat : p.lowerPrioRepeat
    const delayUs = master ? p.masterDelayUs : p.lowerPrioDelayUs
    this.#round(rounds, nowUs)
    if (delayUs > 0 && rounds > 0) {
      this.#secondRounds = rounds
      this.#second.set(nowUs + delayUs)
    }
    if (master && p.refreshUs > 0) this.#refresh.set(nowUs + p.refreshUs)
  }

  stop (): void {
    this.#second.clear()
    this.#refresh.clear()
    this.#announcer.cancel()
  }

  dispose (): void {
    this.stop()
    this.#second.dispose()
    this.#refresh.dispose()
  }

  #round (rounds: number, nowUs: number): void {
    this.sent += this.#announcer.announce(this.#loop, rounds, this.#plan.intervalUs, nowUs)
  }
}
