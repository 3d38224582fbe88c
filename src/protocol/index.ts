// The public surface of the pure protocol layer: VRRP codec, receive checks, checksums, address
// helpers and GARP/NA frame builders. Re-exports only.

export * from './checksum.js';
export * from './discard-reasons.js';
export * from './ethernet.js';
export * from './garp.js';
export * from './ip-address.js';
export * from './mac-address.js';
export * from './neighbour-advert.js';
export * from './receive-checks.js';
export * from './vrrp-advert.js';
export * from './vrrp-codec.js';
export * from './vrrp-constants.js';
