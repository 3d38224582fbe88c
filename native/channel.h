// A Channel is one open socket (VRRP raw, AF_PACKET or rtnetlink) as the I/O thread sees it:
// the fd, its kind, its default destination, and how to read one datagram from it into a ring
// record. Channels are shared between a JS socket object and the loop it is attached to.
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "record.h"
#include "unique_fd.h"

namespace floatip {

class LoopCore;

enum class ChannelKind : uint8_t { kVrrp = 1, kPacket = 2, kNetlink = 3 };

struct Channel {
  UniqueFd fd;
  ChannelKind kind = ChannelKind::kVrrp;
  int family = 0;   // AF_INET / AF_INET6 (VRRP), AF_PACKET, AF_NETLINK
  int ifindex = 0;  // bound interface, 0 for netlink
  sockaddr_storage default_dst{};  // VRRP: the multicast group; packet: the interface
  socklen_t default_dst_len = 0;

  // The loop this channel is attached to, if any. Guarded by attach_mu.
  std::mutex attach_mu;
  std::weak_ptr<LoopCore> loop;
  uint32_t loop_id = 0;
};

// Result of reading one datagram: 1 read, 0 nothing left (EAGAIN), negative errno on error.
int ReadChannel(Channel& ch, RecordHeader* header, uint8_t* payload, size_t capacity);

// Builds a destination for SendOn: address bytes (4 or 16) for VRRP channels; ignored (the
// bound interface) for packet channels. Throws SystemError(EINVAL) on a bad length.
void BuildDestination(const Channel& ch, const uint8_t* addr, size_t len, sockaddr_storage* out,
                      socklen_t* out_len);

// sendto() without blocking. Returns bytes sent or negative errno.
ssize_t SendOn(const Channel& ch, const uint8_t* data, size_t len, const sockaddr_storage& dst,
               socklen_t dst_len);

// One datagram of a batch (the bytes and destination stay owned by the caller).
struct OutMessage {
  const uint8_t* data = nullptr;
  size_t len = 0;
  const sockaddr_storage* dst = nullptr;
  socklen_t dst_len = 0;
};

// The mmsghdr/iovec arrays of SendBatchOn, kept by the caller so that a batch allocates nothing
// once they have grown.
struct BatchScratch {
  std::vector<mmsghdr> headers;
  std::vector<iovec> iovs;
};

// Sends `count` datagrams in order, without blocking, in as few sendmmsg() calls as the kernel
// allows; results[i] is message i's bytes sent or negative errno. Where sendmmsg() stops short
// (it does not say why), that one message goes alone through SendOn for its own result, then
// the rest continue in a batch: every message is sent at most once and gets its own errno.
void SendBatchOn(const Channel& ch, const OutMessage* msgs, size_t count, ssize_t* results,
                 BatchScratch& scratch);

}  // namespace floatip
