// keepalived's interface tracking rules, pure: own interface, track_interface weights, reverse,
// missing interfaces, dont_track_primary.
import t from 'tap'
import { linkTracking } from '../../src/engine/link-tracking.js'

const plan = (trackInterfaces: Array<{ name: string, weight: number, reverse: boolean }>, trackOwnInterface = true) => ({ interface: 'eth0', trackOwnInterface, trackInterfaces })

t.test('own interface down is FAULT unless dont_track_primary', async (t) => {
  const links: Record<string, boolean> = { eth0: false }
  t.same(linkTracking(plan([]), (n) => links[n]), { faults: ['interface eth0 is down'], adjustment: 0 })
  t.same(linkTracking(plan([], false), (n) => links[n]), { faults: [], adjustment: 0 })
  links.eth0 = true
  t.same(linkTracking(plan([]), (n) => links[n]), { faults: [], adjustment: 0 })
})

t.test('track_interface: weight 0 FAULT, +w while up, -w while down, reverse flips, missing = down', async (t) => {
  const p = plan([
    { name: 'eth1', weight: 0, reverse: false },
    { name: 'eth2', weight: 10, reverse: false },
    { name: 'eth3', weight: -20, reverse: false },
    { name: 'eth4', weight: 5, reverse: true },
    { name: 'eth5', weight: 0, reverse: true }
  ])
  const up: Record<string, boolean> = { eth0: true, eth1: true, eth2: true, eth3: true, eth4: true, eth5: false }
  t.same(linkTracking(p, (n) => up[n]), { faults: [], adjustment: 10 - 5 })
  const down: Record<string, boolean> = { eth0: true, eth1: false, eth2: false, eth3: false, eth4: false, eth5: true }
  t.same(linkTracking(p, (n) => down[n]), { faults: ['track_interface eth1 is down', 'track_interface eth5 is up (reverse)'], adjustment: -20 })
  t.same(linkTracking(plan([{ name: 'nosuch', weight: 0, reverse: false }]), (n) => (n === 'eth0' ? true : undefined)).faults, ['track_interface nosuch is down'])
})
