// Hands the core's steady state to the native thread and reads back what it repeated
// (docs/core.md, host contract steps 3-6): as MASTER, one periodic send per destination; as a
// BACKUP watching a known master, a native watch that absorbs that master's identical adverts;
// otherwise a one-shot timer at the core's deadline. Decides nothing itself, except the phase of
// a master's periodic on the shared advert grid (advert-phase.ts).
import type { IoLoop, PeriodicOptions, PeriodicSend, Timer, VrrpSocket, Watch, NativeSystemError } from '../native/index.js'
import type { SteadyState, VrrpInstanceCore } from '../core/index.js'
import type { AdvertEncoder } from './advert-encoder.js'
import { advertPhaseUs, firstAdvertAtUs } from './advert-phase.js'

/** The last advert the core accepted, as received (the bytes a watch compares). */
export interface AcceptedAdvert {
  source: string
  priority: number
  adverIntCs: number
  bytes: Uint8Array
}

type Mode = 'none' | 'master' | 'watch' | 'timer'

export class SteadyDriver {
  readonly #loop: IoLoop
  readonly #rx: VrrpSocket
  readonly #tx: VrrpSocket
  readonly #encoder: AdvertEncoder
  readonly #onSendError: (error: NativeSystemError) => void
  readonly #watch: Watch
  readonly #timer: Timer
  #periodics: PeriodicSend[] = []
  #masterKey = ''
  #intervalUs = 0
  #mode: Mode = 'none'
  /** Counts of periodics and watch arms that are gone (native counters restart with them). */
  #sentBefore = 0
  #matchedBefore = 0

  constructor (loop: IoLoop, sockets: { rx: VrrpSocket, tx: VrrpSocket }, encoder: AdvertEncoder, onDeadline: (firedUs: number) => void, onSendError: (error: NativeSystemError) => void) {
    this.#loop = loop
    this.#rx = sockets.rx
    this.#tx = sockets.tx
    this.#encoder = encoder
    this.#onSendError = onSendError
    this.#watch = loop.createWatch((firedUs) => onDeadline(firedUs))
    this.#timer = loop.createTimer((firedUs) => onDeadline(firedUs))
  }

  get mode (): Mode { return this.#mode }

  /**
   * Step 5: tell the core what native code repeated since the last sync. Returns the input's
   * time: never before that repetition, which native code saw before this input reached
   * JavaScript (an advert can wait in the ring longer than Master_Down_Interval while the
   * watch absorbs the master's later ones: the core must not take the stale one for the latest).
   */
  catchUp (core: VrrpInstanceCore, atUs: number): number {
    const repeatedUs = this.#lastRepeatUs()
    if (repeatedUs === 0) return atUs
    const nowUs = Math.max(atUs, repeatedUs)
    core.steadyRepeated(nowUs, repeatedUs)
    return nowUs
  }

  /** When native code last repeated the steady state (0: not since the last sync). */
  #lastRepeatUs (): number {
    if (this.#mode === 'master') {
      const info = this.#periodics[0]?.info()
      return info != null && info.sent > 0 ? info.nextAtUs - this.#intervalUs : 0
    }
    if (this.#mode === 'watch') return this.#watch.info()?.lastMatchUs ?? 0
    return 0
  }

  /** Steps 3-4: replace what native code does with the core's current steady state. */
  sync (core: VrrpInstanceCore, lastAccepted: AcceptedAdvert | null): void {
    const steady = core.steadyState()
    if (steady.kind === 'master') {
      this.#clearBackup()
      this.#master(steady, core.config.vrid)
      return
    }
    this.#stopPeriodics()
    if (steady.kind === 'backup-watching' && steady.untilUs === Infinity && lastAccepted !== null &&
        lastAccepted.source === steady.masterKey && lastAccepted.priority === steady.masterPriority &&
        lastAccepted.adverIntCs === steady.masterAdverIntCs) {
      this.#timer.clear()
      this.#banked()
      this.#watch.arm(this.#rx, { source: steady.masterKey, bytes: lastAccepted.bytes, timeoutUs: steady.masterDownIntervalUs, firstDeadlineUs: core.nextDeadlineUs() })
      this.#mode = 'watch'
      return
    }
    // No known master, a preempt_delay window, or INIT/FAULT: every advert goes to the core.
    this.#banked()
    this.#watch.disarm()
    const deadline = core.nextDeadlineUs()
    if (Number.isFinite(deadline)) {
      this.#timer.set(deadline)
      this.#mode = 'timer'
    } else {
      this.#timer.clear()
      this.#mode = 'none'
    }
  }

  /** Stops a master's periodic adverts at once (before the effects of leaving MASTER). */
  stopSending (): void {
    if (this.#mode !== 'master') return
    this.#stopPeriodics()
    this.#mode = 'none'
  }

  stop (): void {
    this.#stopPeriodics()
    this.#clearBackup()
    this.#mode = 'none'
  }

  dispose (): void {
    this.stop()
    this.#watch.dispose()
    this.#timer.dispose()
  }

  /** Adverts the native thread sent for this instance, in all (one per interval, for status). */
  sent (): number {
    return this.#sentBefore + (this.#periodics[0]?.info()?.sent ?? 0)
  }

  /** Adverts of the known master that the native watch absorbed, in all (for status). */
  matched (): number {
    return this.#matchedBefore + (this.#watch.info()?.matched ?? 0)
  }

  #master (steady: Extract<SteadyState, { kind: 'master' }>, vrid: number): void {
    const key = `${steady.advert.priority}/${steady.advert.adverIntCs}/${steady.intervalUs}`
    // On this VRID's phase of the shared grid, never after the core's deadline (advert-phase.ts).
    const firstAtUs = firstAdvertAtUs(steady.nextSendUs, steady.intervalUs, advertPhaseUs(vrid, steady.intervalUs))
    if (this.#mode === 'master' && key === this.#masterKey) {
      const info = this.#periodics[0]?.info()
      // Already sending this advert on this cadence: catchUp moved the core's deadline onto the
      // native schedule (nextAtUs = nextSendUs, on the grid), or the first send is still ahead.
      if (info != null && info.nextAtUs === firstAtUs) return
    }
    const encoded = this.#encoder.encode(steady.advert.priority, steady.advert.adverIntCs)
    const options = (destination: string): PeriodicOptions => ({ destination, intervalUs: steady.intervalUs, firstAtUs })
    if (this.#periodics.length !== encoded.length) {
      this.#stopPeriodics()
      this.#periodics = encoded.map((e) => this.#loop.startPeriodic(this.#tx, e.bytes, options(e.destination), this.#onSendError))
    } else {
      encoded.forEach((e, i) => this.#periodics[i].update(this.#tx, e.bytes, options(e.destination)))
    }
    this.#masterKey = key
    this.#intervalUs = steady.intervalUs
    this.#mode = 'master'
  }

  #stopPeriodics (): void {
    this.#sentBefore += this.#periodics[0]?.info()?.sent ?? 0
    for (const p of this.#periodics.splice(0)) p.stop()
    this.#masterKey = ''
  }

  #clearBackup (): void {
    this.#banked()
    this.#watch.disarm()
    this.#timer.clear()
  }

  /** Keeps the watch's count before arm() or disarm() resets it. */
  #banked (): void {
    if (this.#mode === 'watch') this.#matchedBefore += this.#watch.info()?.matched ?? 0
  }
}
