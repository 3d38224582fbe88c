#include "vrrp_socket.h"

#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "clock.h"
#include "netns.h"
#include "system_error.h"

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

namespace floatip {

namespace {

void SetInt(int fd, int level, int name, int value, const char* what, const std::string& ctx) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    ThrowErrno(std::string("setsockopt(") + what + ")", ctx);
  }
}

void ConfigureV4(int fd, const VrrpSocketOptions& o, int ifindex, const std::string& ctx) {
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", ctx);
  SetInt(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", ctx);
  // RFC 5798 §5.1.1.3: "The TTL MUST be set to 255."
  SetInt(fd, IPPROTO_IP, IP_TTL, 255, "IP_TTL", ctx);
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL", ctx);
  SetInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP", ctx);
  ip_mreqn ifreq{};
  ifreq.imr_ifindex = ifindex;
  if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifreq, sizeof ifreq) != 0) {
    ThrowErrno("setsockopt(IP_MULTICAST_IF)", ctx);
  }
  if (o.multicast) {
    ip_mreqn mreq{};
    std::memcpy(&mreq.imr_multiaddr, kVrrpGroupV4, 4);
    mreq.imr_ifindex = ifindex;
    if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
      ThrowErrno("setsockopt(IP_ADD_MEMBERSHIP 224.0.0.18)", ctx);
    }
  }
  if (o.has_source) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, o.source, 4);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) ThrowErrno("bind", ctx);
  }
}

void ConfigureV6(int fd, const VrrpSocketOptions& o, int ifindex, const std::string& ctx) {
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL", ctx);
  SetInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", ctx);
  SetInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT", ctx);
  // RFC 5798 §5.1.2.3: "The Hop Limit MUST be set to 255."
  SetInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS", ctx);
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS", ctx);
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP", ctx);
  SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF", ctx);
  if (o.multicast) {
    ipv6_mreq mreq{};
    std::memcpy(&mreq.ipv6mr_multiaddr, kVrrpGroupV6, 16);
    mreq.ipv6mr_interface = ifindex;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
      ThrowErrno("setsockopt(IPV6_ADD_MEMBERSHIP ff02::12)", ctx);
    }
  }
  if (o.has_source) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, o.source, 16);
    sa.sin6_scope_id = ifindex;  // needed for a link-local source (RFC 5798 §5.1.2.1)
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) ThrowErrno("bind", ctx);
  }
}

// A send-only socket of protocol 112 would still be handed every unicast advert to its bound
// address, and keep them: a filter that accepts nothing, then whatever came before it.
void RefuseInput(int fd, const std::string& ctx) {
  sock_filter reject[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog prog{1, reject};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
    ThrowErrno("setsockopt(SO_ATTACH_FILTER)", ctx);
  }
  uint8_t sink[64];
  for (int i = 0; i < 1024 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT | MSG_TRUNC) >= 0; ++i) {
  }
}

void SetDefaultDestination(Channel& ch, int family, int ifindex) {
  if (family == 4) {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ch.default_dst);
    sa->sin_family = AF_INET;
    std::memcpy(&sa->sin_addr, kVrrpGroupV4, 4);
    ch.default_dst_len = sizeof(sockaddr_in);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ch.default_dst);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, kVrrpGroupV6, 16);
    sa->sin6_scope_id = ifindex;
    ch.default_dst_len = sizeof(sockaddr_in6);
  }
}

}  // namespace

std::shared_ptr<Channel> OpenVrrpSocket(const VrrpSocketOptions& o) {
  if (o.family != 4 && o.family != 6) throw SystemError(EAFNOSUPPORT, "socket", "family must be 4 or 6");
  const std::string ctx = NetnsScope::Describe("interface '" + o.ifname + "'", o.netns);
  if (o.ifname.empty() || o.ifname.size() >= IFNAMSIZ) {
    throw SystemError(EINVAL, "if_nametoindex", ctx + ": interface names are 1-15 characters");
  }
  auto ch = std::make_shared<Channel>();
  {
    NetnsScope scope(o.netns);
    int af = o.family == 4 ? AF_INET : AF_INET6;
    ch->fd.Reset(::socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtoVrrp));
    if (!ch->fd.Valid()) ThrowErrno("socket(SOCK_RAW, 112)", ctx);
    unsigned index = ::if_nametoindex(o.ifname.c_str());
    if (index == 0) ThrowErrno("if_nametoindex", ctx);
    if (::setsockopt(ch->fd.Get(), SOL_SOCKET, SO_BINDTODEVICE, o.ifname.c_str(),
                     o.ifname.size()) != 0) {
      ThrowErrno("setsockopt(SO_BINDTODEVICE)", ctx);
    }
    SetInt(ch->fd.Get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS", ctx);
    if (o.family == 4) {
      ConfigureV4(ch->fd.Get(), o, static_cast<int>(index), ctx);
    } else {
      ConfigureV6(ch->fd.Get(), o, static_cast<int>(index), ctx);
    }
    if (!o.receive) RefuseInput(ch->fd.Get(), ctx);
    ch->ifindex = static_cast<int>(index);
  }
  ch->kind = ChannelKind::kVrrp;
  ch->family = o.family == 4 ? AF_INET : AF_INET6;
  SetDefaultDestination(*ch, o.family, ch->ifindex);
  return ch;
}

int ReceiveBufferBytes(const Channel& ch) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(ch.fd.Get(), SOL_SOCKET, SO_RCVBUF, &value, &len) != 0) ThrowErrno("getsockopt(SO_RCVBUF)");
  return value;
}

int SetReceiveBufferBytes(const Channel& ch, int value) {
  if (value <= 0) throw SystemError(EINVAL, "setsockopt(SO_RCVBUF)", "the size must be positive");
  if (::setsockopt(ch.fd.Get(), SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof value) != 0) {
    if (errno != EPERM) ThrowErrno("setsockopt(SO_RCVBUFFORCE)");
    if (::setsockopt(ch.fd.Get(), SOL_SOCKET, SO_RCVBUF, &value, sizeof value) != 0) {
      ThrowErrno("setsockopt(SO_RCVBUF)");
    }
  }
  return ReceiveBufferBytes(ch);
}

namespace {

// Control messages: kernel timestamp, and for IPv6 the hop limit / destination / interface.
void ReadControl(msghdr& msg, RecordHeader* h) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      h->ts_us = static_cast<double>(RealtimeToMonotonicUs(TimespecToUs(ts)));
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      h->ifindex = info.ipi_ifindex;
      std::memcpy(h->dst, &info.ipi_addr, 4);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      h->ifindex = static_cast<int32_t>(info.ipi6_ifindex);
      std::memcpy(h->dst, &info.ipi6_addr, 16);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int hops;
      std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      h->ttl = static_cast<uint8_t>(hops);
    }
  }
}

}  // namespace

int ReadVrrp(Channel& ch, RecordHeader* h, uint8_t* payload, size_t capacity) {
  sockaddr_storage from{};
  alignas(cmsghdr) uint8_t control[256];
  iovec iov{payload, capacity};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(ch.fd.Get(), &msg, MSG_TRUNC | MSG_DONTWAIT);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  h->kind = kRecordPacket;
  h->ts_us = static_cast<double>(MonotonicUs());
  h->aux_us = h->ts_us;
  ReadControl(msg, h);
  size_t stored = static_cast<size_t>(n) < capacity ? static_cast<size_t>(n) : capacity;
  if (ch.family == AF_INET6) {
    h->family = 6;
    std::memcpy(h->src, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
    h->length = static_cast<uint32_t>(stored);
    h->orig_length = static_cast<uint32_t>(n);
    if (static_cast<size_t>(n) > capacity) h->flags |= kFlagTruncated;
    return 1;
  }
  // IPv4 raw sockets deliver the IP header: take TTL and source from it, then strip it.
  h->family = 4;
  if (stored < sizeof(iphdr)) {
    h->length = 0;
    h->orig_length = static_cast<uint32_t>(n);
    h->flags |= kFlagTruncated;
    return 1;
  }
  const auto* ip = reinterpret_cast<const iphdr*>(payload);
  size_t ihl = static_cast<size_t>(ip->ihl) * 4;
  if (ihl < sizeof(iphdr) || ihl > stored) ihl = stored;
  h->ttl = ip->ttl;
  std::memcpy(h->src, &ip->saddr, 4);
  std::memcpy(h->dst, &ip->daddr, 4);
  std::memmove(payload, payload + ihl, stored - ihl);
  h->length = static_cast<uint32_t>(stored - ihl);
  h->orig_length = static_cast<uint32_t>(static_cast<size_t>(n) - ihl);
  if (static_cast<size_t>(n) > capacity) h->flags |= kFlagTruncated;
  return 1;
}

}  // namespace floatip
