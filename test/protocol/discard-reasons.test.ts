import t from 'tap';
import {
  countDiscard,
  DISCARD_REASON_MIB_OBJECT,
  DISCARD_REASONS,
  emptyDiscardCounters,
  isDiscardReason,
  isPacketDiscardReason,
  totalDiscards,
} from '../../src/protocol/discard-reasons.js';

t.test('RFC 6527 / RFC 2787 counters: every reason has a MIB object and a zero counter', async (t) => {
  t.same(Object.keys(DISCARD_REASON_MIB_OBJECT).sort(), [...DISCARD_REASONS].sort());
  t.equal(new Set(DISCARD_REASONS).size, DISCARD_REASONS.length);
  const counters = emptyDiscardCounters();
  for (const reason of DISCARD_REASONS) t.equal(counters[reason], 0, reason);
});

t.test('isDiscardReason accepts exactly the union', async (t) => {
  for (const reason of DISCARD_REASONS) t.ok(isDiscardReason(reason), reason);
  for (const other of ['', 'checksum', 'CHECKSUM-ERROR', 1, null, undefined, {}]) t.notOk(isDiscardReason(other), String(other));
  t.ok(isPacketDiscardReason('checksum-error'));
  t.notOk(isPacketDiscardReason('vrid-error'));
});

t.test('countDiscard is pure: a new object, the input unchanged', async (t) => {
  const before = emptyDiscardCounters();
  const after = countDiscard(countDiscard(before, 'checksum-error'), 'checksum-error');
  t.equal(before['checksum-error'], 0);
  t.equal(after['checksum-error'], 2);
  t.equal(totalDiscards(countDiscard(after, 'ip-ttl-error')), 3);
});
