// rtnetlink transport: a NETLINK_ROUTE socket that sends requests built in TypeScript and
// returns the kernel's replies as bytes (the TypeScript codec decodes them and turns NLMSG_ERROR
// into errors), or, subscribed to multicast groups, delivers link/address events to a loop.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channel.h"

namespace floatip {

struct NetlinkSocketOptions {
  std::string netns;
  uint32_t groups = 0;  // RTMGRP_* bits; 0 for a request socket
};

std::shared_ptr<Channel> OpenNetlinkSocket(const NetlinkSocketOptions& options);

// Sends one request and collects every reply message with the request's sequence number until
// NLMSG_DONE, NLMSG_ERROR or a single-part reply. Throws SystemError (ETIMEDOUT after
// timeout_ms, or the socket error).
std::vector<uint8_t> NetlinkRequest(Channel& ch, const uint8_t* request, size_t len,
                                    int timeout_ms);

int ReadNetlink(Channel& ch, RecordHeader* header, uint8_t* payload, size_t capacity);

}  // namespace floatip
