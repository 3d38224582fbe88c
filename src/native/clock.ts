// The monotonic clock floatip runs on (CLOCK_MONOTONIC, µs), the same one the I/O thread uses
// for deadlines and receive timestamps.
import { binding } from './binding.js'

export function monotonicUs (): number {
  return binding.monotonicUs()
}
