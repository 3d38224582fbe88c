# Captures the ARP and VRRP (IPv4 protocol 112) frames that cross one interface, in both
# directions, with the kernel's timestamps (SO_TIMESTAMPNS: when the frame was received or handed
# to the driver), in the order the kernel queued them on this one socket, which is the order they
# crossed the interface. Usage: frame-capture.py IFNAME MAX_SECONDS. Prints "ready" once capturing,
# then at the end (MAX_SECONDS, SIGTERM or SIGINT) one line per frame:
#   <CLOCK_REALTIME ns> <packet type: 0 host, 1 broadcast, 2 multicast, 4 outgoing> <frame hex>
# Run inside a lab namespace (the test starts it through lab.spawn); bounded by MAX_SECONDS.
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35  # also SCM_TIMESTAMPNS; asm-generic value (x86_64, arm64)
SO_RCVBUFFORCE = 33
KEEP_BYTES = 64  # Ethernet + ARP, or Ethernet + IPv4 + the VRRP header and first addresses


def wanted(frame):
    if len(frame) < 14:
        return False
    ethertype = struct.unpack('!H', frame[12:14])[0]
    return ethertype == 0x0806 or (ethertype == 0x0800 and len(frame) > 23 and frame[23] == 112)


def main():
    ifname, seconds = sys.argv[1], float(sys.argv[2])
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    print('ready', flush=True)
    lines = []
    deadline = time.monotonic() + seconds
    while not stop and time.monotonic() < deadline:
        try:
            select.select([s], [], [], 0.02)
        except InterruptedError:
            continue
        while True:
            try:
                frame, ancillary, _, address = s.recvmsg(2048, socket.CMSG_SPACE(16))
            except BlockingIOError:
                break
            if not wanted(frame):
                continue
            ns = 0
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack('qq', data[:16])
                    ns = sec * 1_000_000_000 + nsec
            lines.append(f'{ns} {address[2]} {frame[:KEEP_BYTES].hex()}')
    sys.stdout.write(''.join(line + '\n' for line in lines))
    sys.stdout.flush()


main()
