// Byte offsets of a ring record; mirrors native/record.h field for field.
export const RECORD = {
  HEADER_SIZE: 80,
  KIND: 0,
  ID: 4,
  LENGTH: 8,
  ORIG_LENGTH: 12,
  TS_US: 16,
  AUX_US: 24,
  IFINDEX: 32,
  TTL: 36,
  FAMILY: 37,
  ERROR: 38,
  SRC: 40,
  DST: 56,
  FLAGS: 72
} as const

export const RECORD_KIND = {
  PACKET: 1,
  NETLINK: 2,
  WATCH_EXPIRED: 3,
  TIMER: 4,
  SEND_ERROR: 5,
  RECEIVE_ERROR: 6
} as const

export const RECORD_FLAG_TRUNCATED = 1
