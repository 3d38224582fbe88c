// Public surface of the pure VRRP state machine. Re-exports only; see docs/core.md for the
// host contract. Nothing here may import I/O, native code, the engine or a logger.
export { VrrpInstanceCore, createInstance } from './instance.js';
export { resolveConfig, type ResolvedConfig } from './config.js';
export { addressBytes, compareAddressBytes, CoreConfigError } from './address.js';
export { skewTimeUs, masterDownIntervalUs, intervalUs, US_PER_CS, US_PER_S } from './timing.js';
export { backupDecision, masterDecision, type BackupDecision, type MasterDecision } from './rules.js';
export * from './types.js';
