# Prints the receive buffer (SO_RCVBUF, bytes as the kernel counts them) of every raw VRRP socket
# (IP protocol 112) held by process argv[1] or its descendants, one "FAMILY ADDRESS BYTES" line
# each. Reads them through pidfd_getfd (Linux 5.6+, root): ss cannot show a raw socket's buffer
# without the raw_diag module.
import ctypes
import os
import socket
import sys

SYS_PIDFD_OPEN, SYS_PIDFD_GETFD = 434, 438  # x86_64 and arm64 share these numbers
libc = ctypes.CDLL(None, use_errno=True)


def tree(pid):
    out = [pid]
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/children') as f:
                for child in f.read().split():
                    out += tree(int(child))
        except OSError:
            pass
    return out


for pid in tree(int(sys.argv[1])):
    pidfd = libc.syscall(SYS_PIDFD_OPEN, pid, 0)
    if pidfd < 0:
        continue
    try:
        for name in os.listdir(f'/proc/{pid}/fd'):
            try:
                if not os.readlink(f'/proc/{pid}/fd/{name}').startswith('socket:'):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                continue
            s = socket.socket(fileno=fd)
            try:
                if s.type == socket.SOCK_RAW and s.proto == 112:
                    print(s.family.name, s.getsockname()[0], s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
            finally:
                s.close()
    finally:
        os.close(pidfd)
