#include "netlink_socket.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "clock.h"
#include "netns.h"
#include "system_error.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

namespace floatip {

std::shared_ptr<Channel> OpenNetlinkSocket(const NetlinkSocketOptions& o) {
  const std::string ctx = NetnsScope::Describe("rtnetlink", o.netns);
  auto ch = std::make_shared<Channel>();
  NetnsScope scope(o.netns);
  ch->fd.Reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!ch->fd.Valid()) ThrowErrno("socket(AF_NETLINK)", ctx);
  int one = 1;
  // Extended acks carry the kernel's own error text; capped acks omit the echoed request.
  ::setsockopt(ch->fd.Get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(ch->fd.Get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (o.groups != 0) {
    int size = 1 << 20;  // event bursts (many addresses at once) must not overflow
    ::setsockopt(ch->fd.Get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = o.groups;
  if (::bind(ch->fd.Get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    ThrowErrno("bind(AF_NETLINK)", ctx);
  }
  ch->kind = ChannelKind::kNetlink;
  ch->family = AF_NETLINK;
  auto* kernel = reinterpret_cast<sockaddr_nl*>(&ch->default_dst);
  kernel->nl_family = AF_NETLINK;
  ch->default_dst_len = sizeof(sockaddr_nl);
  return ch;
}

namespace {

// Appends the messages of one datagram that answer `seq`; returns true when the reply is complete.
bool CollectReplies(const uint8_t* buf, size_t len, uint32_t seq, std::vector<uint8_t>& out) {
  bool done = false;
  size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= len) {
    const auto* nh = reinterpret_cast<const nlmsghdr*>(buf + offset);
    if (nh->nlmsg_len < sizeof(nlmsghdr) || offset + nh->nlmsg_len > len) break;
    if (nh->nlmsg_seq == seq) {
      out.insert(out.end(), buf + offset, buf + offset + nh->nlmsg_len);
      if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR ||
          (nh->nlmsg_flags & NLM_F_MULTI) == 0) {
        done = true;
      }
    }
    offset += NLMSG_ALIGN(nh->nlmsg_len);
  }
  return done;
}

}  // namespace

std::vector<uint8_t> NetlinkRequest(Channel& ch, const uint8_t* request, size_t len,
                                    int timeout_ms) {
  if (len < sizeof(nlmsghdr)) throw SystemError(EINVAL, "sendto(AF_NETLINK)", "request too short");
  uint32_t seq = reinterpret_cast<const nlmsghdr*>(request)->nlmsg_seq;
  if (::sendto(ch.fd.Get(), request, len, 0, reinterpret_cast<const sockaddr*>(&ch.default_dst),
               ch.default_dst_len) < 0) {
    ThrowErrno("sendto(AF_NETLINK)");
  }
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(64 * 1024);
  const int64_t deadline = MonotonicUs() + static_cast<int64_t>(timeout_ms) * 1000;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    ssize_t n = ::recv(ch.fd.Get(), buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int64_t left_us = deadline - MonotonicUs();
      if (left_us <= 0) throw SystemError(ETIMEDOUT, "recv(AF_NETLINK)", "no reply from the kernel");
      pollfd pfd{ch.fd.Get(), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(left_us / 1000) + 1);
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("recv(AF_NETLINK)");
    }
    if (static_cast<size_t>(n) > buf.size()) {
      throw SystemError(EMSGSIZE, "recv(AF_NETLINK)", "reply larger than 64 KiB");
    }
    if (CollectReplies(buf.data(), static_cast<size_t>(n), seq, out)) return out;
  }
  throw SystemError(ETIMEDOUT, "recv(AF_NETLINK)", "reply never completed");
}

int ReadNetlink(Channel& ch, RecordHeader* h, uint8_t* payload, size_t capacity) {
  ssize_t n = ::recv(ch.fd.Get(), payload, capacity, MSG_TRUNC | MSG_DONTWAIT);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  h->kind = kRecordNetlink;
  h->ts_us = static_cast<double>(MonotonicUs());
  h->aux_us = h->ts_us;
  h->length = static_cast<uint32_t>(static_cast<size_t>(n) < capacity ? n : capacity);
  h->orig_length = static_cast<uint32_t>(n);
  if (static_cast<size_t>(n) > capacity) h->flags |= kFlagTruncated;
  return 1;
}

}  // namespace floatip
