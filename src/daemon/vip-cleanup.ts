// Last resort when the engine thread died or did not stop in time: remove every configured VIP
// from its interface from the main thread, so the daemon never leaves a VIP behind.
import { RtNetlink } from '../native/index.js'
import { VipSet } from '../io/vip-set.js'
import type { Logger } from '../io/logger.js'
import type { InstancePlan } from '../engine/instance-plan.js'

export function removeAllVips (plans: readonly InstancePlan[], netns: string | undefined, log: Logger): void {
  let netlink: RtNetlink | undefined
  try {
    netlink = new RtNetlink({ netns })
    const links = new Map(netlink.listLinks().map((l) => [l.name, l.ifindex]))
    for (const plan of plans) {
      const ifindexOf = (dev: string | undefined): number => links.get(dev ?? plan.interface) ?? -1
      const vips = new VipSet(netlink, [...plan.vips, ...plan.excludedVips], ifindexOf)
      const present = vips.present()
      if (present.length === 0) continue
      const failures = vips.remove()
      log.warn({ instance: plan.name, removed: present.map((v) => v.address), failures: failures.map((f) => f.address) }, 'removed VIPs after the engine stopped unexpectedly')
    }
  } catch (err) {
    log.error({ err }, 'could not remove VIPs')
  } finally {
    netlink?.close()
  }
}
