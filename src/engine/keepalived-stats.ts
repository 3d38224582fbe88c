// The text keepalived writes to keepalived.stats on SIGUSR2 (2.2.7's layout, line for line), from
// the engine's instance status. Pure. Formatted in the engine thread, so that a SIGUSR2 moves one
// string between threads, not the status of every instance. Received counts every advert accepted from the master, the
// ones the native watch absorbed included; Sent counts every advert, native and priority 0.
import type { InstanceStatus } from './instance-runtime.js'

export function formatKeepalivedStats (instances: readonly InstanceStatus[]): string {
  return instances.map(instanceBlock).join('')
}

function instanceBlock (i: InstanceStatus): string {
  const c = i.counters
  const d = c.discards
  return [
    `VRRP Instance: ${i.name}`,
    '  Advertisements:',
    `    Received: ${c.advertsReceived + c.advertsMatchedNative}`,
    `    Sent: ${c.advertsSentByJs + c.advertsSentNative}`,
    `  Became master: ${c.becameMaster}`,
    `  Released master: ${c.releasedMaster}`,
    '  Packet Errors:',
    `    Length: ${d['packet-length-error']}`,
    `    TTL: ${d['ip-ttl-error']}`,
    `    Invalid Type: ${d['invalid-type']}`,
    `    Advertisement Interval: ${d['advertise-interval-error']}`,
    `    Address List: ${d['address-list-error']}`,
    '  Authentication Errors:',
    `    Invalid Type: ${d['invalid-auth-type']}`,
    `    Type Mismatch: ${d['auth-type-mismatch']}`,
    `    Failure: ${d['auth-failure']}`,
    '  Priority Zero:',
    `    Received: ${c.priorityZeroReceived}`,
    `    Sent: ${c.priorityZeroSent}`,
    ''
  ].join('\n')
}
