import { poolSelector, SYSTEM_TOLERATION } from '../../../src/model/node-pools';

/**
 * The node selector and toleration that put a platform pod on the tainted system nodes, in the
 * spelling (nodeSelector, tolerations) most charts take for each of their workloads.
 */
export function systemNodes(): { nodeSelector: Record<string, string>; tolerations: Record<string, string>[] } {
  return { nodeSelector: poolSelector('system'), tolerations: [{ ...SYSTEM_TOLERATION }] };
}
