// The kernel's floor under a VRRP master's CPU, for bench/cost.ts: a process that does nothing
// but what floatip's native thread does in the steady state, N adverts every interval on the
// shared phase grid (advert-phase.ts) with one sendmmsg per wake-up, and no engine, no JavaScript
// per advert. Over veth the sender is also charged the receivers' kernel path (bridge, delivery
// to every raw socket), so a daemon's CPU per advert cannot go below this figure on the machine.
//   node dist/bench/lib/floor.js send IFNAME SOURCE INSTANCES INTERVAL_US
//   node dist/bench/lib/floor.js receive IFNAME        (a backup's one receive socket, read and dropped)
// Runs in the namespace it is started in, until SIGTERM.
import { IoLoop, VrrpSocket, monotonicUs } from '../../src/native/index.js'
import { advertPhaseUs, firstAdvertAtUs } from '../../src/engine/advert-phase.js'

const [mode, ifname, source, instances, intervalUs] = process.argv.slice(2)
const loop = new IoLoop({ slots: 4096 })
const sockets: VrrpSocket[] = []

if (mode === 'send') {
  const tx = new VrrpSocket({ family: 4, interface: ifname, source, receive: false })
  sockets.push(tx)
  const interval = Number(intervalUs)
  const now = monotonicUs()
  for (let vrid = 1; vrid <= Number(instances); vrid++) {
    // The layout of a VRRPv3 advert with one IPv4 address (RFC 5798 §5.1); the checksum is not
    // computed: only the kernel's work is measured, and the capture counts by source and VRID.
    const advert = new Uint8Array([0x31, vrid, 200, 1, 0, interval / 10_000, 0, 0, 203, 0, 113, vrid - 1])
    loop.startPeriodic(tx, advert, { intervalUs: interval, firstAtUs: firstAdvertAtUs(now + interval, interval, advertPhaseUs(vrid, interval)) })
  }
} else {
  const rx = new VrrpSocket({ family: 4, interface: ifname })
  rx.setReceiveBuffer(1 << 20)
  sockets.push(rx)
  loop.attach(rx, () => {})
}

process.on('SIGTERM', () => {
  for (const s of sockets) s.close()
  loop.close()
  process.exit(0)
})
