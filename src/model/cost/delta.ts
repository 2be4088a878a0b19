import { round } from './prices';
import type { Estimate } from './estimate';

/** The monthly cost change between a base ref and the project as it is now (`tenantctl cost --base`). */
export interface CostDelta {
  readonly base: string;
  readonly baseCommit: string;
  /** Line by line (by line id), those that differ. */
  readonly lines: readonly {
    readonly id: string;
    readonly component: string;
    readonly base: number;
    readonly head: number;
    readonly delta: number;
  }[];
  readonly total: { readonly base: number; readonly head: number; readonly delta: number };
  /** Cost per tenant of each tier, those that differ. */
  readonly tiers: readonly { readonly tier: string; readonly base: number | null; readonly head: number | null; readonly delta: number }[];
  /** Tenants added and removed, each at what a tenant of its tier costs on its side. */
  readonly tenantsAdded: readonly { readonly id: string; readonly tier: string; readonly monthly: number }[];
  readonly tenantsRemoved: readonly { readonly id: string; readonly tier: string; readonly monthly: number }[];
}

export interface DeltaSide {
  /** Null when the base has no project yet. */
  readonly estimate: Estimate | null;
  readonly tenants: readonly { readonly id: string; readonly tier: string }[];
}

export function costDelta(base: DeltaSide, head: DeltaSide & { readonly estimate: Estimate }, ref: { base: string; baseCommit: string }): CostDelta {
  const baseLines = new Map((base.estimate?.lines ?? []).map((l) => [l.id, l]));
  const headLines = new Map(head.estimate.lines.map((l) => [l.id, l]));
  const ids = [...new Set([...baseLines.keys(), ...headLines.keys()])];
  const lines = ids
    .map((id) => {
      const b = baseLines.get(id)?.monthly ?? 0;
      const h = headLines.get(id)?.monthly ?? 0;
      return { id, component: (headLines.get(id) ?? baseLines.get(id))!.component, base: b, head: h, delta: round(h - b) };
    })
    .filter((l) => l.delta !== 0);
  const perTenant = (e: Estimate | null) => new Map((e?.tiers ?? []).map((t) => [t.tier, t.perTenant]));
  const bt = perTenant(base.estimate);
  const ht = perTenant(head.estimate);
  const tiers = [...new Set([...bt.keys(), ...ht.keys()])]
    .map((tier) => ({ tier, base: bt.get(tier) ?? null, head: ht.get(tier) ?? null, delta: round((ht.get(tier) ?? 0) - (bt.get(tier) ?? 0)) }))
    .filter((t) => t.delta !== 0);
  const idsOf = (s: DeltaSide) => new Set(s.tenants.map((t) => t.id));
  const [baseIds, headIds] = [idsOf(base), idsOf(head)];
  const baseTotal = base.estimate?.totals.monthly ?? 0;
  return {
    ...ref,
    lines,
    total: { base: baseTotal, head: head.estimate.totals.monthly, delta: round(head.estimate.totals.monthly - baseTotal) },
    tiers,
    tenantsAdded: head.tenants.filter((t) => !baseIds.has(t.id)).map((t) => ({ id: t.id, tier: t.tier, monthly: ht.get(t.tier) ?? 0 })),
    tenantsRemoved: base.tenants.filter((t) => !headIds.has(t.id)).map((t) => ({ id: t.id, tier: t.tier, monthly: bt.get(t.tier) ?? 0 })),
  };
}
