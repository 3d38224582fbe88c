// The service behind the VIP in the failover benches: a UDP echo responder run inside a router
// namespace (`node dist/bench/lib/echo-responder.js NAME PORT`). It answers every datagram with
// the datagram's first 8 bytes (the prober's sequence number) followed by its router name, so the
// client knows which router answered. Bound to the wildcard address (dual stack), it answers on a
// VIP exactly while the kernel has that VIP on an interface. Must not: do anything else.
import { createSocket } from 'node:dgram'

const [name = '?', portText = '7'] = process.argv.slice(2)
const tag = Buffer.from(name)
const socket = createSocket({ type: 'udp6', ipv6Only: false })
socket.on('message', (message, peer) => {
  socket.send([message.subarray(0, 8), tag], peer.port, peer.address, () => {})
})
socket.on('error', (err) => { process.stderr.write(`echo-responder ${name}: ${err.message}\n`) })
socket.bind(Number(portText), '::', () => process.stdout.write('ready\n'))
process.on('SIGTERM', () => process.exit(0))
