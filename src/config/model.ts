// The typed model of a keepalived.conf, as produced by loadConfig and printed by
// `floatip dump-config --json`. Field types are derived from the declarative keyword tables
// (one field per keyword, camelCase, units in names: ...Us microseconds, ...Cs centiseconds,
// ...Ms milliseconds, ...S seconds), so the tables are the single source of truth. Documented in
// docs/config.md. Must not contain parsing logic.
import type { ModelOf } from './keywords/spec.js'
import type { topLevelKeywords, bfdInstanceKeywords } from './keywords/top-level.js'
import type { globalDefsKeywords } from './keywords/global-defs.js'
import type { vrrpInstanceKeywords, authenticationKeywords } from './keywords/vrrp-instance.js'
import type { syncGroupKeywords, trackFileKeywords, trackProcessKeywords, vrrpScriptKeywords, garpGroupKeywords } from './keywords/vrrp-tracking.js'
import type { realServerKeywords, virtualServerKeywords, VirtualServerKey, LvsMethod } from './keywords/virtual-server.js'
import type { SourceLocation } from './diagnostics.js'

export type { VirtualIpAddress, UnicastPeer, TrackRef, RouteOrRule, InterfaceDelay } from './keywords/vrrp-items.js'
export type { ScriptRef } from './keywords/helpers.js'
export type { Checker, CheckerType } from './keywords/checkers.js'
export type { LvsMethod, ServerAddress, VirtualServerKey, VirtualServerGroupEntry } from './keywords/virtual-server.js'

/** Bumped when a field changes meaning or is removed (adding fields does not bump it). */
export const MODEL_VERSION = 2

interface Named { name: string, source: SourceLocation }

export type GlobalDefs = ModelOf<typeof globalDefsKeywords>
/** `authPassHex`: the exact Authentication Data bytes (auth_pass cut to 8 bytes), hex. */
export type Authentication = ModelOf<typeof authenticationKeywords> & { authPassHex: string | undefined }
/**
 * A vrrp_instance. `version` is resolved from global_defs vrrp_version when not set; `accept`
 * from vrrp_strict (no_accept when strict); `priority` is 255 with state MASTER and 100 otherwise
 * when not written (keepalived 2.2.7); `advertIntervalCs` is advert_int in centiseconds.
 */
export type VrrpInstance = Named & Omit<ModelOf<typeof vrrpInstanceKeywords>, 'version' | 'accept' | 'priority'> & { version: 2 | 3, accept: boolean, priority: number }
export type VrrpScript = Named & ModelOf<typeof vrrpScriptKeywords>
export type TrackFile = Named & ModelOf<typeof trackFileKeywords>
export type VrrpTrackProcess = Named & ModelOf<typeof trackProcessKeywords>
export type VrrpSyncGroup = Named & ModelOf<typeof syncGroupKeywords>
export type GarpGroup = ModelOf<typeof garpGroupKeywords>
export type BfdInstance = Named & ModelOf<typeof bfdInstanceKeywords>
/**
 * Settings keepalived resolves on a virtual_server and on each real_server (lvs-defaults.ts): a
 * real_server's default is the virtual_server's value, and keepalived's default below that.
 */
interface ResolvedServer { alpha: boolean, inhibitOnFailure: boolean, smtpAlert: boolean, connectTimeoutUs: number, delayLoopUs: number, lvsMethod: LvsMethod }
type ResolvedKeys = keyof ResolvedServer
export type RealServer = { address: string, port: number | undefined, source: SourceLocation } & Omit<ModelOf<typeof realServerKeywords>, ResolvedKeys> & ResolvedServer
/** `protocol` is resolved for an address key only (UDP when not written, as keepalived 2.2.7). */
export type VirtualServer = { key: VirtualServerKey, source: SourceLocation } & Omit<ModelOf<typeof virtualServerKeywords>, 'realServers' | ResolvedKeys | 'sorryServerLvsMethod'> & ResolvedServer & { sorryServerLvsMethod: LvsMethod, realServers: RealServer[] }

type TopLevel = ModelOf<typeof topLevelKeywords>

export interface KeepalivedConfig extends Omit<TopLevel, 'vrrpInstances' | 'vrrpScripts' | 'trackFiles' | 'vrrpTrackProcesses' | 'vrrpSyncGroups' | 'bfdInstances' | 'virtualServers' | 'globalDefs'> {
  modelVersion: typeof MODEL_VERSION
  /** The main file and every included file, in the order read. */
  files: string[]
  configId: string
  globalDefs: GlobalDefs
  vrrpInstances: VrrpInstance[]
  vrrpScripts: VrrpScript[]
  trackFiles: TrackFile[]
  vrrpTrackProcesses: VrrpTrackProcess[]
  vrrpSyncGroups: VrrpSyncGroup[]
  bfdInstances: BfdInstance[]
  virtualServers: VirtualServer[]
}
