#include "channel.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "netlink_socket.h"
#include "packet_socket.h"
#include "system_error.h"
#include "vrrp_socket.h"

namespace floatip {

int ReadChannel(Channel& ch, RecordHeader* header, uint8_t* payload, size_t capacity) {
  switch (ch.kind) {
    case ChannelKind::kVrrp: return ReadVrrp(ch, header, payload, capacity);
    case ChannelKind::kPacket: return ReadPacket(ch, header, payload, capacity);
    case ChannelKind::kNetlink: return ReadNetlink(ch, header, payload, capacity);
  }
  return -EINVAL;
}

void BuildDestination(const Channel& ch, const uint8_t* addr, size_t len, sockaddr_storage* out,
                      socklen_t* out_len) {
  *out = ch.default_dst;
  *out_len = ch.default_dst_len;
  if (ch.kind != ChannelKind::kVrrp || addr == nullptr) return;
  if (ch.family == AF_INET && len == 4) {
    std::memcpy(&reinterpret_cast<sockaddr_in*>(out)->sin_addr, addr, 4);
  } else if (ch.family == AF_INET6 && len == 16) {
    std::memcpy(&reinterpret_cast<sockaddr_in6*>(out)->sin6_addr, addr, 16);
  } else {
    throw SystemError(EINVAL, "sendto", "destination address length does not match the socket's family");
  }
}

ssize_t SendOn(const Channel& ch, const uint8_t* data, size_t len, const sockaddr_storage& dst,
               socklen_t dst_len) {
  ssize_t n = ::sendto(ch.fd.Get(), data, len, MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&dst), dst_len);
  return n < 0 ? -errno : n;
}

}  // namespace floatip
