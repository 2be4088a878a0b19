import { ConfigError } from '../../src/model/errors';
import { SCALAR_PRICE_KEYS, costSchema } from '../../src/model/cost/config';
import { estimate, shareWeights, type CostTenant, type EstimateInput } from '../../src/model/cost/estimate';
import type { InventoryItem, NodeGroupItem } from '../../src/model/cost/inventory';
import { regionPrices, shippedPrices } from '../../src/model/cost/prices';
import { tierCatalog } from '../../src/model/tiers';
import { tenantsOf } from './fixtures';

/**
 * The arithmetic on round numbers: a region tenantctl ships no prices for (sa-east-1), every
 * price given in cost.prices, a 100-hour month, nodes at $1 an hour (dedicated $2), no volumes.
 */
const nodes = (role: NodeGroupItem['role'], desiredSize: number, extra: Partial<NodeGroupItem> = {}): NodeGroupItem => ({
  kind: 'nodes',
  stack: role === 'dedicated' ? 'tenant-ent' : 'platform',
  address: `aws_eks_node_group.${role}`,
  name: role,
  role,
  capacityType: 'ON_DEMAND',
  instanceType: role === 'dedicated' ? 'big.large' : 'm.large',
  desiredSize,
  minSize: 2,
  maxSize: 8,
  rootVolumeGiB: 0,
  ...extra,
});
const ITEMS: InventoryItem[] = [
  { kind: 'eks-cluster', stack: 'platform', address: 'aws_eks_cluster.c', supportType: 'STANDARD' },
  nodes('system', 2),
  nodes('tenants', 4),
  nodes('dedicated', 2),
];
// Every scalar price but the EKS control plane's.
const ZERO = Object.fromEntries(SCALAR_PRICE_KEYS.filter((k) => k !== 'eksClusterHour').map((k) => [k, 0]));
const TENANTS: CostTenant[] = [
  { id: 'a', tier: 'starter', stack: 'tenant-a', cpu: 1, memoryGiB: 2 },
  { id: 'b', tier: 'standard', stack: 'tenant-b', cpu: 4, memoryGiB: 8 },
  { id: 'ent', tier: 'enterprise', stack: 'tenant-ent', cpu: 16, memoryGiB: 32 },
];
function input(
  over: { cost?: Record<string, unknown>; items?: InventoryItem[]; tenants?: CostTenant[] } & Omit<Partial<EstimateInput>, 'cost'> = {},
): EstimateInput {
  const { cost, items, tenants, ...rest } = over;
  return {
    region: 'sa-east-1',
    inventory: { items: items ?? ITEMS, unknownTypes: [] },
    tenants: tenants ?? TENANTS,
    tiers: tierCatalog,
    cost: costSchema.parse({
      prices: { ...ZERO, eksClusterHour: 1, ec2Hour: { 'm.large': 1, 'big.large': 2 } },
      ...cost,
      assumptions: { hoursPerMonth: 100, scaleDownHoursPerMonth: 40, ...(cost as { assumptions?: object } | undefined)?.assumptions },
    }),
    ...rest,
  };
}
const line = (e: ReturnType<typeof estimate>, id: string) => e.lines.find((l) => l.id === id)?.monthly;
const tier = (e: ReturnType<typeof estimate>, name: string) => e.tiers.find((t) => t.tier === name)!;
const saving = (e: ReturnType<typeof estimate>, id: string) => e.optimisations.find((o) => o.id === id)!;

describe('GIVEN a platform priced on round numbers', () => {
  const e = estimate(input({ tierPrices: { starter: 100, standard: 99, enterprise: 1000 } }));

  test('THEN the lines are hours x price per node, and the pools add up', () => {
    expect(e.lines.map((l) => [l.id, l.pool, l.monthly])).toEqual([
      ['eks', 'platform', 100],
      ['nodes:system', 'platform', 200],
      ['nodes:tenants', 'shared-nodes', 400],
      ['nodes:dedicated:enterprise', 'dedicated', 400],
    ]);
    expect(e.totals).toEqual({ monthly: 1100, platform: 300, sharedNodes: 400, dedicated: 400 });
    expect(e.perTenantAverage).toBe(366.67);
  });

  test('THEN each tenant carries the pools by its quota weight: half CPU requests, half memory requests', () => {
    expect(shareWeights(TENANTS)).toEqual([1 / 21, 4 / 21, 16 / 21]);
    // platform: 300 by 1:4:16; shared nodes: 400 by 1:4 among the shared tiers; enterprise: its own nodes.
    expect(e.tiers.map((t) => [t.tier, t.dedicatedPerTenant, t.platformSharePerTenant, t.sharedNodesSharePerTenant, t.perTenant])).toEqual([
      ['starter', 0, 14.29, 80, 94.29],
      ['standard', 0, 57.14, 320, 377.14],
      ['enterprise', 400, 228.57, 0, 628.57],
    ]);
  });

  test('THEN the margin is (price - cost per tenant) / price, negative when the price is below the cost', () => {
    expect(e.tiers.map((t) => [t.tier, t.price, t.margin])).toEqual([
      ['starter', 100, 0.0571],
      ['standard', 99, -2.8095],
      ['enterprise', 1000, 0.3714],
    ]);
  });

  test('THEN a tier without tenants is priced as one more tenant of it', () => {
    const without = estimate(input({ tenants: TENANTS.filter((t) => t.tier !== 'standard') }));
    expect(tier(without, 'standard')).toMatchObject({ tenants: 0, platformSharePerTenant: 57.14, sharedNodesSharePerTenant: 320 });
    // Its dedicated nodes, for a dedicated tier without tenants, are the tier's node group (stock enterprise: 2 x m6i.2xlarge).
    const noEnterprise = estimate(
      input({
        tenants: TENANTS.slice(0, 2),
        items: ITEMS.slice(0, 3),
        cost: { prices: { ...ZERO, eksClusterHour: 1, ec2Hour: { 'm.large': 1, 'm6i.2xlarge': 3 } } },
      }),
    );
    expect(tier(noEnterprise, 'enterprise').dedicatedPerTenant).toBe(600);
  });

  test('THEN the optimisations not applied show their saving alone, and the optimised total subtracts them', () => {
    expect(e.optimisations.map((o) => [o.id, o.applied, o.monthlySaving])).toEqual([
      ['spot', false, 130], // floor(0.5 x 4) = 2 nodes x 100 h x $1 x 65 %
      ['reserved-system', false, 74], // $200 x 37 %
      ['reserved-dedicated', false, 148], // $400 x 37 %
      ['scale-down', false, 120], // (4 - 1) nodes x 40 h x $1
    ]);
    expect(e.optimisedMonthly).toBe(1100 - 130 - 74 - 148 - 120);
  });
});

describe('GIVEN each optimisation applied', () => {
  test('WHEN the platform provisions a Spot group THEN it is priced at the Spot discount and the saving is shown as applied', () => {
    const items = [...ITEMS.slice(0, 2), nodes('tenants', 2), nodes('tenants', 2, { capacityType: 'SPOT', name: 'tenants-spot' })];
    const e = estimate(input({ items, tenants: TENANTS.slice(0, 2) }));
    expect(line(e, 'nodes:tenants')).toBe(200);
    expect(line(e, 'nodes:tenants-spot')).toBe(70); // 2 x 100 h x $1 x 35 %
    expect(saving(e, 'spot')).toMatchObject({ applied: true, monthlySaving: 130, apply: '' });
  });

  test('WHEN system and dedicated nodes are reserved THEN they are priced at the reserved discount', () => {
    const e = estimate(input({ cost: { reservedNodeGroups: ['system', 'dedicated'], assumptions: { reservedDiscount: 0.4 } } }));
    expect(line(e, 'nodes:system')).toBe(120);
    expect(line(e, 'nodes:dedicated:enterprise')).toBe(240);
    expect(saving(e, 'reserved-system')).toMatchObject({ applied: true, monthlySaving: 80 });
    expect(saving(e, 'reserved-dedicated')).toMatchObject({ applied: true, monthlySaving: 160 });
    expect(tier(e, 'enterprise').dedicatedPerTenant).toBe(240);
  });

  test('WHEN the scale-down is provisioned THEN its hours come from the schedule and the tenants line drops by them', () => {
    const scaleDown = { minSize: 1, downAt: 20, upAt: 8, weekends: true, timeZone: 'UTC' };
    const e = estimate(input({ scaleDown }));
    const hours = (108 * 100) / 168; // 5 nights of 12 h and a 48 h weekend, in a 100 h month
    expect(line(e, 'nodes:tenants')).toBe(Math.round((400 - 3 * hours) * 100) / 100);
    expect(saving(e, 'scale-down')).toMatchObject({ applied: true, monthlySaving: Math.round(3 * hours * 100) / 100 });
  });
});

describe('GIVEN prices', () => {
  test('WHEN the region has no shipped prices THEN every missing one is named with the key to set, and nothing is estimated', () => {
    const bare = input({ cost: { prices: {} } });
    let error: unknown;
    try {
      estimate(bare);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['cost.prices.ec2Hour.m.large', 'cost.prices.ec2Hour.big.large', 'cost.prices.ebsGp3GbMonth']));
    // The prices AWS sets the same in every commercial region are known there.
    expect(fields).not.toContain('cost.prices.eksClusterHour');
    expect(shippedPrices('sa-east-1')).toMatchObject({ eksClusterHour: 0.1, kmsKeyMonth: 1, secretMonth: 0.4 });
    expect(shippedPrices('us-gov-west-1')).toEqual({});
    expect((error as ConfigError).message).toContain('tenantctl ships no price for it in sa-east-1');
  });

  test('WHEN cost.prices overrides an entry THEN it replaces that entry only, and sizes of a family are priced by memory', () => {
    const tokyo = shippedPrices('ap-northeast-1');
    expect(tokyo.ec2Hour!['m6i.xlarge']).toBe(0.248);
    expect(tokyo.ec2Hour!['t3.medium']).toBe(0.0544);
    expect(tokyo.rdsHour!['db.r6g.xlarge']).toBe(0.58);
    const merged = regionPrices('ap-northeast-1', { ec2Hour: { 'm6i.large': 0.1 }, natGatewayHour: 0.05 });
    expect([merged.ec2Hour!['m6i.large'], merged.ec2Hour!['m6i.xlarge'], merged.natGatewayHour, merged.albHour]).toEqual([0.1, 0.248, 0.05, 0.0243]);
    expect(shippedPrices('us-west-2')).toEqual(shippedPrices('us-east-1'));
  });

  test('WHEN cost holds an unknown key or a bad value THEN the schema refuses it at the field', () => {
    const issues = (raw: unknown) => {
      const r = costSchema.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.code === 'unrecognized_keys' ? i.keys : i.message]);
    };
    expect(issues({ prices: { natGatewayHours: 1 } })).toEqual([['prices', ['natGatewayHours']]]);
    expect(issues({ prices: { ec2Hour: { M6I: 1 } } })).toEqual([['prices.ec2Hour.M6I', 'must be a type such as m6i.large']]);
    expect(issues({ assumptions: { spotDiscount: 1.5 } })).toEqual([['assumptions.spotDiscount', 'must be between 0 and 1 (the Spot saving)']]);
    expect(issues({ reservedNodeGroups: ['tenants'] })).toEqual([['reservedNodeGroups.0', 'must be one of system, dedicated']]);
  });
});

test('GIVEN many tenants of one tier THEN their shares are equal and sum to the pool', () => {
  const tenants = tenantsOf('starter', tierCatalog.starter, 7);
  expect(shareWeights(tenants).reduce((n, w) => n + w, 0)).toBeCloseTo(1, 12);
  expect(new Set(shareWeights(tenants)).size).toBe(1);
});
