// AF_PACKET: sends complete Ethernet frames built in TypeScript (gratuitous ARP, unsolicited
// neighbour advertisements) on one interface, optionally receives frames of one EtherType, and
// reads an interface's index, MAC address, MTU and flags.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "channel.h"

namespace floatip {

struct PacketSocketOptions {
  std::string ifname;
  std::string netns;
  uint16_t protocol = 0;         // EtherType to receive; 0 = send only
  bool ignore_outgoing = true;   // PACKET_IGNORE_OUTGOING when receiving
};

struct InterfaceInfo {
  int index = 0;
  uint8_t mac[6]{};
  int mtu = 0;
  unsigned flags = 0;  // IFF_* bits
};

std::shared_ptr<Channel> OpenPacketSocket(const PacketSocketOptions& options);
InterfaceInfo GetInterfaceInfo(const std::string& ifname, const std::string& netns);

// Reads one frame: payload is the whole frame, src is the sender MAC, ttl is sll_pkttype.
int ReadPacket(Channel& ch, RecordHeader* header, uint8_t* payload, size_t capacity);

}  // namespace floatip
