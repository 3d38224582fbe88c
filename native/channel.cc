#include "channel.h"

#include <netinet/in.h>
#include <sys/uio.h>

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

void SendBatchOn(const Channel& ch, const OutMessage* msgs, size_t count, ssize_t* results,
                 BatchScratch& scratch) {
  if (count == 1) {
    results[0] = SendOn(ch, msgs[0].data, msgs[0].len, *msgs[0].dst, msgs[0].dst_len);
    return;
  }
  scratch.headers.resize(count);
  scratch.iovs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    scratch.iovs[i].iov_base = const_cast<uint8_t*>(msgs[i].data);
    scratch.iovs[i].iov_len = msgs[i].len;
    msghdr& h = scratch.headers[i].msg_hdr;
    h = msghdr{};
    h.msg_name = const_cast<sockaddr_storage*>(msgs[i].dst);
    h.msg_namelen = msgs[i].dst_len;
    h.msg_iov = &scratch.iovs[i];
    h.msg_iovlen = 1;
    scratch.headers[i].msg_len = 0;
  }
  constexpr size_t kMaxPerCall = 1024;  // UIO_MAXIOV: the kernel takes at most this many
  size_t i = 0;
  while (i < count) {
    const size_t want = count - i < kMaxPerCall ? count - i : kMaxPerCall;
    int sent = ::sendmmsg(ch.fd.Get(), &scratch.headers[i], static_cast<unsigned>(want),
                          MSG_DONTWAIT);
    if (sent < 0) {  // the first message failed: errno is its own
      results[i++] = -errno;
      continue;
    }
    for (int k = 0; k < sent; ++k, ++i) results[i] = scratch.headers[i].msg_len;
    if (static_cast<size_t>(sent) < want) {  // stopped short: learn this message's error alone
      results[i] = SendOn(ch, msgs[i].data, msgs[i].len, *msgs[i].dst, msgs[i].dst_len);
      ++i;
    }
  }
}

}  // namespace floatip
