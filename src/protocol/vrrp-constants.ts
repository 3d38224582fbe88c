// Wire constants of VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798, RFC 9568). Values only: no logic.

// RFC 5798 §5.1.1.4 / RFC 3768 §5.2.4: "The IPv4 protocol number assigned by the IANA for VRRP is 112"
export const IP_PROTOCOL_VRRP = 112;
// RFC 5798 §5.1.1.3: "The TTL MUST be set to 255."  §5.1.2.3: "The Hop Limit MUST be set to 255."
export const VRRP_TTL = 255;

// RFC 5798 §5.1.1.2: "224.0.0.18"; §5.1.2.2: "FF02:0:0:0:0:0:0:12"
export const VRRP_MULTICAST_IPV4 = '224.0.0.18';
export const VRRP_MULTICAST_IPV6 = 'ff02::12';

export const VRRP_VERSION_2 = 2;
export const VRRP_VERSION_3 = 3;
// RFC 5798 §5.2.2: "1 ADVERTISEMENT"
export const VRRP_TYPE_ADVERTISEMENT = 1;

/** Version/type, VRID, priority, count, (v2: auth type, adver int | v3: rsvd + max adver int), checksum. */
export const VRRP_HEADER_BYTES = 8;
// RFC 3768 §5.3.10: Authentication Data is two 32-bit words, present in every VRRPv2 packet.
export const VRRP_V2_AUTH_DATA_BYTES = 8;

export const VRRP_OFFSET_VERSION_TYPE = 0;
export const VRRP_OFFSET_VRID = 1;
export const VRRP_OFFSET_PRIORITY = 2;
export const VRRP_OFFSET_COUNT_IP_ADDRS = 3;
export const VRRP_V2_OFFSET_AUTH_TYPE = 4;
export const VRRP_V2_OFFSET_ADVER_INT = 5;
export const VRRP_V3_OFFSET_MAX_ADVER_INT = 4;
export const VRRP_OFFSET_CHECKSUM = 6;
export const VRRP_OFFSET_ADDRESSES = 8;

// RFC 5798 §5.2.7: "12-bit field that indicates the time interval (in centiseconds)"
export const VRRP_V3_MAX_ADVER_INT_MASK = 0x0fff;
export const VRRP_V3_MAX_ADVER_INT_CS_MAX = 4095;
export const VRRP_V2_ADVER_INT_S_MAX = 255;

export const VRRP_VRID_MIN = 1;
export const VRRP_VRID_MAX = 255;
export const VRRP_PRIORITY_MAX = 255;
export const VRRP_COUNT_IP_ADDRS_MAX = 255;

// RFC 3768 §5.3.6 keeps 0 ("No Authentication") and reserves 1 and 2 for RFC 2338's methods;
// keepalived still sends them: `auth_type PASS` is 1, `auth_type AH` is 2.
export const VRRP_AUTH_TYPE_NONE = 0;
export const VRRP_AUTH_TYPE_SIMPLE_TEXT_PASSWORD = 1;
export const VRRP_AUTH_TYPE_IP_AUTH_HEADER = 2;
