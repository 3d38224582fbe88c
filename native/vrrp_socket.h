// Opens the raw IP socket for VRRP (IP protocol 112) on one interface, IPv4 or IPv6, and reads
// adverts with the IP header fields the protocol needs. Decides nothing about VRRP itself.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "channel.h"

namespace floatip {

constexpr int kIpProtoVrrp = 112;

struct VrrpSocketOptions {
  int family = 4;          // 4 or 6
  std::string ifname;      // bound with SO_BINDTODEVICE
  std::string netns;       // empty: the caller's namespace
  bool multicast = true;   // join 224.0.0.18 / ff02::12 on ifname
  uint8_t source[16]{};    // bind to this source address (unicast_src_ip / primary address)
  bool has_source = false;
  bool receive = true;     // false: a send-only socket; a filter drops what the kernel would queue
};

// RFC 5798 §5.1.1.2 / §5.1.2.2: the VRRP multicast groups.
constexpr uint8_t kVrrpGroupV4[4] = {224, 0, 0, 18};
constexpr uint8_t kVrrpGroupV6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12};

// Throws SystemError (ENODEV for an unknown interface, EPERM without CAP_NET_RAW, ...).
std::shared_ptr<Channel> OpenVrrpSocket(const VrrpSocketOptions& options);

// The socket's receive budget in bytes as the kernel counts it (each queued datagram costs its
// whole buffer, several hundred bytes for a small advert).
int ReceiveBufferBytes(const Channel& ch);

// Asks for SO_RCVBUF `value` (the kernel doubles it for its own overhead), past net.core.rmem_max
// with CAP_NET_ADMIN (SO_RCVBUFFORCE), else capped by it. Returns ReceiveBufferBytes afterwards.
int SetReceiveBufferBytes(const Channel& ch, int value);

// Reads one datagram: fills source/destination/TTL/ifindex/kernel timestamp; the payload is the
// VRRP message (for IPv4 the IP header is stripped after its fields are recorded).
int ReadVrrp(Channel& ch, RecordHeader* header, uint8_t* payload, size_t capacity);

}  // namespace floatip
