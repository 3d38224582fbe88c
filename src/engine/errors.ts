// Typed errors of the engine, with stable codes (docs/engine.md).

/** An instance cannot start: missing interface, no source address, socket refused. */
export class EngineStartError extends Error {
  readonly code = 'ERR_FLOATIP_START'
  constructor (message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'EngineStartError'
  }
}
