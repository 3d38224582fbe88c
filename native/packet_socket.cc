#include "packet_socket.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "clock.h"
#include "netns.h"
#include "system_error.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace floatip {

namespace {

void CheckName(const std::string& ifname, const std::string& ctx) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    throw SystemError(EINVAL, "if_nametoindex", ctx + ": interface names are 1-15 characters");
  }
}

InterfaceInfo QueryInterface(int fd, const std::string& ifname, const std::string& ctx) {
  InterfaceInfo info;
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFINDEX, &req) != 0) ThrowErrno("ioctl(SIOCGIFINDEX)", ctx);
  info.index = req.ifr_ifindex;
  if (::ioctl(fd, SIOCGIFHWADDR, &req) != 0) ThrowErrno("ioctl(SIOCGIFHWADDR)", ctx);
  std::memcpy(info.mac, req.ifr_hwaddr.sa_data, 6);
  if (::ioctl(fd, SIOCGIFMTU, &req) != 0) ThrowErrno("ioctl(SIOCGIFMTU)", ctx);
  info.mtu = req.ifr_mtu;
  if (::ioctl(fd, SIOCGIFFLAGS, &req) != 0) ThrowErrno("ioctl(SIOCGIFFLAGS)", ctx);
  info.flags = static_cast<unsigned short>(req.ifr_flags);
  return info;
}

}  // namespace

std::shared_ptr<Channel> OpenPacketSocket(const PacketSocketOptions& o) {
  const std::string ctx = NetnsScope::Describe("interface '" + o.ifname + "'", o.netns);
  CheckName(o.ifname, ctx);
  auto ch = std::make_shared<Channel>();
  NetnsScope scope(o.netns);
  ch->fd.Reset(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(o.protocol)));
  if (!ch->fd.Valid()) ThrowErrno("socket(AF_PACKET)", ctx);
  InterfaceInfo info = QueryInterface(ch->fd.Get(), o.ifname, ctx);
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(o.protocol);
  sll.sll_ifindex = info.index;
  if (::bind(ch->fd.Get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    ThrowErrno("bind(AF_PACKET)", ctx);
  }
  if (o.protocol != 0 && o.ignore_outgoing) {
    int one = 1;
    // Best effort: kernels before 4.20 lack the option and still work, seeing their own frames.
    ::setsockopt(ch->fd.Get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  }
  ch->kind = ChannelKind::kPacket;
  ch->family = AF_PACKET;
  ch->ifindex = info.index;
  std::memcpy(&ch->default_dst, &sll, sizeof sll);
  ch->default_dst_len = sizeof sll;
  return ch;
}

InterfaceInfo GetInterfaceInfo(const std::string& ifname, const std::string& netns) {
  const std::string ctx = NetnsScope::Describe("interface '" + ifname + "'", netns);
  CheckName(ifname, ctx);
  NetnsScope scope(netns);
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) ThrowErrno("socket(AF_INET, SOCK_DGRAM)", ctx);
  return QueryInterface(fd.Get(), ifname, ctx);
}

int ReadPacket(Channel& ch, RecordHeader* h, uint8_t* payload, size_t capacity) {
  sockaddr_ll from{};
  socklen_t fromlen = sizeof from;
  ssize_t n = ::recvfrom(ch.fd.Get(), payload, capacity, MSG_TRUNC | MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&from), &fromlen);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  h->kind = kRecordPacket;
  h->ts_us = static_cast<double>(MonotonicUs());
  h->aux_us = h->ts_us;
  h->ifindex = from.sll_ifindex;
  h->ttl = from.sll_pkttype;
  std::memcpy(h->src, from.sll_addr, from.sll_halen <= 8 ? from.sll_halen : 8);
  h->length = static_cast<uint32_t>(static_cast<size_t>(n) < capacity ? n : capacity);
  h->orig_length = static_cast<uint32_t>(n);
  if (static_cast<size_t>(n) > capacity) h->flags |= kFlagTruncated;
  return 1;
}

}  // namespace floatip
