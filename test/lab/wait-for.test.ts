// waitFor: bounded polling with a clear timeout error.

import t from 'tap';
import { WaitForTimeoutError, waitFor } from '../../src/lab/index.js';

t.test('returns the first truthy value', async (t) => {
  let calls = 0;
  const value = await waitFor(() => (++calls >= 3 ? { calls } : null), { timeoutMs: 2000, intervalMs: 5, what: 'three calls' });
  t.same(value, { calls: 3 });
});

t.test('awaits async predicates and treats a throw as "not yet"', async (t) => {
  let calls = 0;
  const value = await waitFor(
    async () => {
      if (++calls < 3) throw new Error('not ready');
      return 'ready';
    },
    { timeoutMs: 2000, intervalMs: 5, what: 'readiness' },
  );
  t.equal(value, 'ready');
});

t.test('times out naming what it waited for, bounded in time and attempts', async (t) => {
  const started = Date.now();
  let calls = 0;
  const error = (await waitFor(
    () => {
      calls++;
      throw new Error('link is DOWN');
    },
    { timeoutMs: 200, intervalMs: 20, what: 'eth0 to come up' },
  ).catch((e: unknown) => e)) as WaitForTimeoutError;
  t.type(error, WaitForTimeoutError);
  t.equal(error.code, 'ERR_FLOATIP_WAIT_TIMEOUT');
  t.match(error.message, /timed out after 200 ms .* waiting for eth0 to come up; last error: link is DOWN/);
  t.ok(calls >= 2 && calls <= 12, `attempts bounded (${calls})`);
  t.equal(error.attempts, calls);
  t.ok(Date.now() - started < 1000, 'returned soon after the timeout');
});
