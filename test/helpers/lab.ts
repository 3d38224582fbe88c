// tap integration of the lab (src/lab): a lab per test, destroyed by the test's teardown.
// Must not: build topology itself; everything lives in src/lab so the demo and benches share it.

import { createLab, type Lab, type LabOptions } from '../../src/lab/index.js';

export { waitFor, LabError, type Lab, type LabOptions, type LabNode } from '../../src/lab/index.js';

/** The part of a tap Test that withLab needs (keeps this helper independent of tap's types). */
export interface TeardownHost {
  teardown(fn: () => void | Promise<void>): void;
}

/**
 * Creates a lab for test `t` and destroys it when `t` ends, passed or failed. A crash, timeout
 * (tap's SIGTERM) or Ctrl-C is covered by the lab's own process hooks.
 */
export async function withLab(t: TeardownHost, options: LabOptions = {}): Promise<Lab> {
  const lab = await createLab(options);
  t.teardown(() => lab.destroy());
  return lab;
}
