# Sends VRRP messages (IP protocol 112) with an IPv4 header the test chooses: source address and
# TTL, which floatip's own VrrpSocket fixes (the interface's address, TTL 255, RFC 5798 §5.1.1.3).
# Usage: vrrp-send.py IFNAME SOURCE DESTINATION TTL HEX_MESSAGE...; one datagram per message.
# Runs inside a lab namespace (`ip netns exec`); raw sockets need root.
import socket
import struct
import sys

ifname, source, destination, ttl = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # implies IP_HDRINCL
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
for message in (bytes.fromhex(h) for h in sys.argv[5:]):
    # Version/IHL, TOS, total length, ID, flags/fragment, TTL, protocol 112, checksum (the kernel
    # fills in the checksum and the ID when they are 0), source, destination.
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0xc0, 20 + len(message), 0, 0, ttl, 112, 0,
                         socket.inet_aton(source), socket.inet_aton(destination))
    s.sendto(header + message, (destination, 0))
s.close()
