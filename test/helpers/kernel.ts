// What the running kernel can do, for tests that depend on it.
import { release } from 'node:os'

/** Linux 6.12 added custom time slices for the normal policy (EEVDF, sched_attr.sched_runtime). */
export function kernelHasCustomSlices (): boolean {
  const [major, minor] = release().split('.').map((n) => Number.parseInt(n, 10))
  return major > 6 || (major === 6 && minor >= 12)
}
