// The network-namespace lab used by tests, the demo and the benches: N router namespaces and an
// optional client on a bridge in its own switch namespace, documentation addresses only, unique
// names per run, torn down on success, failure, Ctrl-C and crash. See docs/lab.md.

export { createLab, listNamespaces, Lab, type NsRef, type ExecOptions } from './lab.js';
export type { LabOptions, LabNode, LabLink, LabLan, LabAddress, LinkOptions, LinkSide } from './types.js';
export type { LabSpawnOptions, KillOptions } from './processes.js';
export type { CommandResult } from './command.js';
export { LabError, ERR_FLOATIP_LAB } from './errors.js';
export { waitFor, WaitForTimeoutError, type WaitForOptions } from './wait-for.js';
export { parseAddresses, parseLinks, type LinkInfo } from './ip-json.js';
export { destroyAllLabsSync, liveLabCount } from './registry.js';
export {
  LANS,
  MAX_ROUTERS,
  CLIENT_HOST,
  FIRST_VIP_HOST,
  LAST_VIP_HOST,
  labPrefix,
  hostIpv4,
  hostIpv6,
  vipIpv4,
  vipIpv6,
  type LanPlan,
} from './plan.js';
export { LabDaemons, FLOATIP_CLI, floatipStatus, stateChange, vipHolders, type RunningDaemon, type LogLine } from './daemons.js';
export { keepalivedConf, type NodeConfigSpec, type VrrpInstanceSpec } from './keepalived-conf.js';
export { onLines } from './lines.js';
export { vrrpRawSockets, vrrpRawDrops, parseProcNetRaw, type RawSocketInfo } from './raw-sockets.js';
export { processTree, processTasks } from './process-tree.js';
