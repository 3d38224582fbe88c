// Parsing iproute2's JSON output (`ip -j addr`, `ip -j link`). Owns: the mapping from iproute2's
// field names to ours. Must not: run commands.

import { LabError } from './errors.js';
import type { LabAddress } from './types.js';

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
  tentative?: boolean;
  label?: string;
}

interface IpLinkJson {
  ifindex?: number;
  ifname?: string;
  address?: string;
  operstate?: string;
  addr_info?: IpAddrInfo[];
}

export interface LinkInfo {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string | null;
  readonly operstate: string;
}

function parseArray(json: string, what: string): IpLinkJson[] {
  let value: unknown;
  try {
    value = JSON.parse(json === '' ? '[]' : json);
  } catch (cause) {
    throw new LabError(`cannot parse ${what} JSON output`, { cause });
  }
  if (!Array.isArray(value)) throw new LabError(`${what} JSON output is not an array`);
  return value as IpLinkJson[];
}

/** `ip -j link show` → one entry per interface. */
export function parseLinks(json: string): LinkInfo[] {
  return parseArray(json, 'ip -j link').map((link) => ({
    ifname: String(link.ifname),
    ifindex: Number(link.ifindex),
    mac: typeof link.address === 'string' ? link.address : null,
    operstate: String(link.operstate ?? 'UNKNOWN'),
  }));
}

/** `ip -j addr show` → one entry per address (interfaces without addresses yield nothing). */
export function parseAddresses(json: string): LabAddress[] {
  const out: LabAddress[] = [];
  for (const link of parseArray(json, 'ip -j addr')) {
    for (const info of link.addr_info ?? []) {
      if (info.family !== 'inet' && info.family !== 'inet6') continue;
      if (typeof info.local !== 'string') continue;
      out.push({
        ifname: String(link.ifname),
        ifindex: Number(link.ifindex),
        mac: typeof link.address === 'string' ? link.address : null,
        operstate: String(link.operstate ?? 'UNKNOWN'),
        family: info.family === 'inet' ? 4 : 6,
        address: info.local,
        prefixLength: Number(info.prefixlen),
        scope: String(info.scope ?? 'global'),
        tentative: info.tentative === true,
        label: typeof info.label === 'string' ? info.label : null,
      });
    }
  }
  return out;
}
