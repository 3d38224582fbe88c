// The text keepalived writes to keepalived.stats on SIGUSR2 (2.2.7's layout, line for line), from
// the engine's instance status. Pure. Formatted in the engine thread, so that a SIGUSR2 moves one
// string between threads, not the status of every instance. Received counts every advert accepted from the master, the
// ones the native watch absorbed included; Sent counts every advert, native and priority 0.
import type { InstanceStatus } from './instance-runtime.js'

/**
 * What keepalived.stats shows of an instance: a part of its status. The engine builds just this
 * for SIGUSR2 (InstanceRuntime.keepalivedStats): a status query can come 20 times a second, and
 * the full status of 255 instances kept the engine thread busy ~1.5 ms each time, long enough
 * to hold the native thread off a CPU (bench/README.md, busy control plane).
 */
export interface KeepalivedStatsSource {
  name: string
  counters: Pick<InstanceStatus['counters'], 'advertsReceived' | 'advertsMatchedNative' | 'advertsSentByJs' | 'advertsSentNative' |
  'becameMaster' | 'releasedMaster' | 'discards' | 'priorityZeroReceived' | 'priorityZeroSent'>
}

export function formatKeepalivedStats (instances: readonly KeepalivedStatsSource[]): string {
  let text = ''
  for (const i of instances) text += instanceBlock(i)
  return text
}

function instanceBlock (i: KeepalivedStatsSource): string {
  const c = i.counters
  const d = c.discards
  return `VRRP Instance: ${i.name}
  Advertisements:
    Received: ${c.advertsReceived + c.advertsMatchedNative}
    Sent: ${c.advertsSentByJs + c.advertsSentNative}
  Became master: ${c.becameMaster}
  Released master: ${c.releasedMaster}
  Packet Errors:
    Length: ${d['packet-length-error']}
    TTL: ${d['ip-ttl-error']}
    Invalid Type: ${d['invalid-type']}
    Advertisement Interval: ${d['advertise-interval-error']}
    Address List: ${d['address-list-error']}
  Authentication Errors:
    Invalid Type: ${d['invalid-auth-type']}
    Type Mismatch: ${d['auth-type-mismatch']}
    Failure: ${d['auth-failure']}
  Priority Zero:
    Received: ${c.priorityZeroReceived}
    Sent: ${c.priorityZeroSent}
`
}
