// The layout of one record in the receive ring that the I/O thread fills and JavaScript drains.
// Mirrored field for field in src/native/record-layout.ts: change both or neither.
#pragma once
#include <cstddef>
#include <cstdint>

namespace floatip {

enum RecordKind : uint32_t {
  kRecordPacket = 1,        // a datagram or frame from an attached channel
  kRecordNetlink = 2,       // one rtnetlink datagram (may hold several messages)
  kRecordWatchExpired = 3,  // a watch's deadline passed without a matching packet
  kRecordTimer = 4,         // a one-shot timer fired
  kRecordSendError = 5,     // a periodic send failed (reported once per distinct errno)
  kRecordReceiveError = 6,  // a receive failed (e.g. ENOBUFS on netlink: resynchronise)
};

enum RecordFlag : uint32_t {
  kFlagTruncated = 1,  // payload shorter than the datagram: orig_length tells the real size
};

struct RecordHeader {
  uint32_t kind;         // RecordKind
  uint32_t id;           // channel id (packets), watch, timer or periodic id
  uint32_t length;       // payload bytes stored after the header
  uint32_t orig_length;  // datagram length on the wire (IPv4: without the IP header)
  double ts_us;          // packets: kernel receive time; events: when the thread fired them
  double aux_us;         // packets: when the thread read it; watch/timer: the deadline it had
  int32_t ifindex;       // receiving interface
  uint8_t ttl;           // IPv4 TTL / IPv6 hop limit; AF_PACKET: sll_pkttype
  uint8_t family;        // 4, 6, or 0
  uint16_t error;        // errno for error records
  uint8_t src[16];       // source address (IPv4 in the first 4 bytes); AF_PACKET: source MAC
  uint8_t dst[16];       // destination address
  uint32_t flags;        // RecordFlag bits
  uint32_t reserved;
};

static_assert(sizeof(RecordHeader) == 80, "record header layout is shared with TypeScript");
static_assert(offsetof(RecordHeader, ts_us) == 16, "layout");
static_assert(offsetof(RecordHeader, ifindex) == 32, "layout");
static_assert(offsetof(RecordHeader, src) == 40, "layout");
static_assert(offsetof(RecordHeader, dst) == 56, "layout");
static_assert(offsetof(RecordHeader, flags) == 72, "layout");

constexpr size_t kRecordHeaderSize = sizeof(RecordHeader);

}  // namespace floatip
