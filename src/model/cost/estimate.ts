import { ConfigError, type ConfigIssue } from '../errors';
import { PLATFORM_FILE } from '../project';
import { HOURS_PER_WEEK, scaleDownHoursPerWeek, type ScaleDownSpec } from '../scale-down';
import { splitTenantCapacity } from '../spot-capacity';
import type { TierSpec } from '../tiers';
import { cpuCores, memoryGiB } from '../quantities';
import type { CostAssumptions, CostConfig, SteadyNodeGroup } from './config';
import { poolOf, type CostPool, type Inventory, type InventoryItem, type NodeGroupItem } from './inventory';
import { PRICE_TABLE_DATE, PRICE_TABLE_SOURCE, regionPrices, round, type PriceTableKey, type RegionPrices, type ScalarPriceKey } from './prices';

/** A tenant as the estimate sees it: its tier, its stack, and the quota requests that weigh its share. */
export interface CostTenant {
  readonly id: string;
  readonly tier: string;
  readonly stack: string;
  readonly cpu: number;
  readonly memoryGiB: number;
}

export interface EstimateInput {
  readonly region: string;
  readonly inventory: Inventory;
  readonly tenants: readonly CostTenant[];
  readonly tiers: Readonly<Record<string, TierSpec>>;
  readonly cost: CostConfig;
  /** `eks.nodeGroups.tenants.scaleDown`, when the platform provisions it. */
  readonly scaleDown?: ScaleDownSpec;
  /** Monthly price per tenant by tier (`--price standard=99`), for the margins. */
  readonly tierPrices?: Readonly<Record<string, number>>;
}

export interface CostLine {
  /** Stable id (`nodes:system`, `rds`, `nodes:dedicated:enterprise`). */
  readonly id: string;
  readonly component: string;
  readonly detail: string;
  readonly pool: CostPool;
  /** Set on dedicated nodes: the tier whose tenants own them. */
  readonly tier?: string;
  readonly monthly: number;
}

export interface TierCost {
  readonly tier: string;
  readonly isolation: 'shared' | 'dedicated';
  /** Tenants of the tier in the project. */
  readonly tenants: number;
  readonly dedicatedPerTenant: number;
  readonly platformSharePerTenant: number;
  readonly sharedNodesSharePerTenant: number;
  readonly perTenant: number;
  readonly price: number | null;
  /** (price - perTenant) / price; null without a price. */
  readonly margin: number | null;
}

export type OptimisationId = 'spot' | 'reserved-system' | 'reserved-dedicated' | 'scale-down';

export interface Optimisation {
  readonly id: OptimisationId;
  readonly title: string;
  /** True when the estimate above already includes it (provisioned, or priced as configured). */
  readonly applied: boolean;
  readonly monthlySaving: number;
  readonly detail: string;
  /** What to set to apply it; empty when applied. */
  readonly apply: string;
}

export interface Estimate {
  readonly region: string;
  readonly priceTable: { readonly date: string; readonly source: string };
  readonly assumptions: CostAssumptions;
  readonly reservedNodeGroups: readonly SteadyNodeGroup[];
  readonly lines: readonly CostLine[];
  readonly totals: { readonly monthly: number; readonly platform: number; readonly sharedNodes: number; readonly dedicated: number };
  readonly tenants: number;
  /** Total over the project's tenants (null without tenants). */
  readonly perTenantAverage: number | null;
  readonly shareRule: string;
  readonly tiers: readonly TierCost[];
  readonly optimisations: readonly Optimisation[];
  /** Monthly total with every optimisation not yet applied (each saving computed alone; they overlap on the tenants nodes). */
  readonly optimisedMonthly: number;
  readonly unknownTypes: Inventory['unknownTypes'];
}

export const SHARE_RULE =
  'Each tenant carries a share of a pooled cost weighted by its quota requests: half by requests.cpu, half by requests.memory, ' +
  "each over the pool's tenants. The platform pool (everything but tenant nodes) is shared by every tenant; the shared tenant nodes " +
  "(On-Demand and Spot) by the tenants of shared tiers; dedicated nodes are their tenant's alone. A tier without tenants is priced as one more tenant.";

/** The prices the estimate needs, each looked up once; every missing one is reported together. */
class PriceBook {
  readonly missing: ConfigIssue[] = [];
  constructor(
    readonly region: string,
    private readonly prices: Partial<RegionPrices>,
  ) {}

  scalar(key: ScalarPriceKey): number {
    const v = this.prices[key];
    if (v === undefined) this.miss(`cost.prices.${key}`);
    return v ?? 0;
  }

  table(key: PriceTableKey, type: string): number {
    const v = this.prices[key]?.[type];
    if (v === undefined) this.miss(`cost.prices.${key}.${type}`);
    return v ?? 0;
  }

  private miss(field: string): void {
    if (this.missing.some((m) => m.field === field)) return;
    this.missing.push({
      field,
      message: `tenantctl ships no price for it in ${this.region}: set it in platform.json (USD, on-demand, from aws.amazon.com/pricing)`,
    });
  }
}

const money = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

interface NodeCost {
  readonly monthly: number;
  readonly detail: string;
  /** Monthly of the instances alone, at On-Demand, for the optimisations. */
  readonly onDemandInstances: number;
}

/** Instances and root volumes of a node group, with Spot, reserved pricing and the scale-down applied. */
function nodeCost(g: NodeGroupItem, book: PriceBook, a: CostAssumptions, reserved: boolean, scaledAway: number, scaledHours: number): NodeCost {
  const onDemand = book.table('ec2Hour', g.instanceType);
  const rate = g.capacityType === 'SPOT' ? onDemand * (1 - a.spotDiscount) : reserved ? onDemand * (1 - a.reservedDiscount) : onDemand;
  const nodeHours = g.desiredSize * a.hoursPerMonth - scaledAway * scaledHours;
  const volumes = (nodeHours / a.hoursPerMonth) * g.rootVolumeGiB * book.scalar('ebsGp3GbMonth');
  const how = g.capacityType === 'SPOT' ? ` Spot (${a.spotDiscount * 100} % off)` : reserved ? ` reserved (${a.reservedDiscount * 100} % off)` : '';
  const night = scaledAway ? `, ${scaledAway} fewer for ${round(scaledHours)} h (scale-down)` : '';
  return {
    monthly: nodeHours * rate + volumes,
    onDemandInstances: g.desiredSize * a.hoursPerMonth * onDemand,
    detail: `${g.desiredSize} x ${g.instanceType} at ${money(rate)}/h${how}${night}, ${g.rootVolumeGiB} GiB gp3 root volume each`,
  };
}

const isTenantsOnDemand = (i: InventoryItem): i is NodeGroupItem => i.kind === 'nodes' && i.role === 'tenants' && i.capacityType === 'ON_DEMAND';

/** The monthly estimate: line items, pools, shares per tier, margins and the optimisations. */
export function estimate(input: EstimateInput): Estimate {
  const { inventory, cost } = input;
  const a = cost.assumptions;
  const H = a.hoursPerMonth;
  const book = new PriceBook(input.region, regionPrices(input.region, cost.prices));
  const reserved = new Set<SteadyNodeGroup>(cost.reservedNodeGroups);
  const tierOfStack = new Map(input.tenants.map((t) => [t.stack, t.tier]));
  const items = inventory.items;
  const of = <K extends InventoryItem['kind']>(kind: K) => items.filter((i): i is Extract<InventoryItem, { kind: K }> => i.kind === kind);
  const lines: CostLine[] = [];
  const line = (l: CostLine) => {
    if (l.monthly > 0 || l.id.startsWith('nodes:')) lines.push({ ...l, monthly: round(l.monthly) });
  };
  const count = (n: number, what: string, plural = `${what}s`) => `${n} ${n === 1 ? what : plural}`;

  const scaledHours = input.scaleDown ? (scaleDownHoursPerWeek(input.scaleDown) * H) / HOURS_PER_WEEK : 0;
  const onDemandInstances = new Map<NodeGroupItem, number>();

  const clusters = of('eks-cluster');
  if (clusters.length)
    line({
      id: 'eks',
      component: 'EKS control plane',
      // A version past its standard support (kept there by supportType EXTENDED) costs six times this.
      detail: `${count(clusters.length, 'cluster')} at ${money(book.scalar('eksClusterHour'))}/h, standard support (support policy ${clusters[0].supportType})`,
      pool: 'platform',
      monthly: clusters.length * H * book.scalar('eksClusterHour'),
    });

  // Node groups: one line each, dedicated ones summed per tier.
  const dedicated = new Map<string, { monthly: number; nodes: number; tenants: number; type: Set<string> }>();
  for (const g of of('nodes')) {
    const steady: SteadyNodeGroup | undefined = g.role === 'system' ? 'system' : g.role === 'dedicated' ? 'dedicated' : undefined;
    const away = input.scaleDown && isTenantsOnDemand(g) ? Math.max(0, g.desiredSize - input.scaleDown.minSize) : 0;
    const c = nodeCost(g, book, a, steady !== undefined && reserved.has(steady), away, scaledHours);
    onDemandInstances.set(g, c.onDemandInstances);
    if (g.role === 'dedicated') {
      const tier = tierOfStack.get(g.stack) ?? 'unknown';
      const d = dedicated.get(tier) ?? { monthly: 0, nodes: 0, tenants: 0, type: new Set<string>() };
      dedicated.set(tier, {
        monthly: d.monthly + c.monthly,
        nodes: d.nodes + g.desiredSize,
        tenants: d.tenants + 1,
        type: d.type.add(g.instanceType),
      });
      continue;
    }
    const component =
      g.role === 'system'
        ? 'EC2 system nodes'
        : g.role === 'agents'
          ? 'EC2 Terraform Cloud agents'
          : g.capacityType === 'SPOT'
            ? 'EC2 tenant nodes (shared, Spot)'
            : 'EC2 tenant nodes (shared)';
    const id = g.role === 'tenants' && g.capacityType === 'SPOT' ? 'nodes:tenants-spot' : `nodes:${g.role}`;
    line({ id, component, detail: `${g.name}: ${c.detail}`, pool: poolOf(g), monthly: c.monthly });
  }
  for (const [tier, d] of [...dedicated].sort(([x], [y]) => x.localeCompare(y))) {
    line({
      id: `nodes:dedicated:${tier}`,
      component: `EC2 dedicated nodes (${tier})`,
      detail: `${count(d.tenants, 'tenant')}, ${count(d.nodes, 'node')} of ${[...d.type].join(', ')}`,
      pool: 'dedicated',
      tier,
      monthly: d.monthly,
    });
  }

  const nats = of('nat-gateway').length;
  if (nats)
    line({
      id: 'nat',
      component: 'NAT gateways',
      detail: `${count(nats, 'gateway')} at ${money(book.scalar('natGatewayHour'))}/h, ${a.natDataGb} GB processed at ${money(book.scalar('natGatewayGb'))}/GB`,
      pool: 'platform',
      monthly: nats * H * book.scalar('natGatewayHour') + a.natDataGb * book.scalar('natGatewayGb'),
    });
  const ipv4 = of('public-ipv4');
  const addresses = ipv4.reduce((n, i) => n + i.count, 0);
  if (addresses)
    line({
      id: 'ipv4',
      component: 'Public IPv4 addresses',
      detail: `${count(addresses, 'address', 'addresses')} (${[...new Set(ipv4.map((i) => i.of))].join(', ')}) at ${money(book.scalar('publicIpv4Hour'))}/h`,
      pool: 'platform',
      monthly: addresses * H * book.scalar('publicIpv4Hour'),
    });
  const albs = of('alb').length;
  if (albs)
    line({
      id: 'alb',
      component: 'Application Load Balancer',
      detail: `${count(albs, 'ALB')} at ${money(book.scalar('albHour'))}/h + ${a.albLcus} LCU at ${money(book.scalar('albLcuHour'))}/LCU-h`,
      pool: 'platform',
      monthly: albs * H * (book.scalar('albHour') + a.albLcus * book.scalar('albLcuHour')),
    });
  for (const db of of('rds')) {
    const copies = db.multiAz ? 2 : 1;
    const az = db.multiAz ? 'Multi-AZ (x2)' : 'single-AZ';
    line({
      id: 'rds',
      component: 'RDS PostgreSQL',
      detail: `${db.instanceClass} ${az} at ${money(book.table('rdsHour', db.instanceClass))}/h`,
      pool: 'platform',
      monthly: copies * H * book.table('rdsHour', db.instanceClass),
    });
    line({
      id: 'rds-storage',
      component: 'RDS storage',
      detail: `${db.storageGiB} GiB gp3 ${az} at ${money(book.scalar('rdsGp3GbMonth'))}/GiB-month`,
      pool: 'platform',
      monthly: copies * db.storageGiB * book.scalar('rdsGp3GbMonth'),
    });
  }
  for (const p of of('rds-proxy'))
    line({
      id: 'rds-proxy',
      component: 'RDS Proxy',
      detail: `${p.vcpu} vCPU (${p.instanceClass}) at ${money(book.scalar('rdsProxyVcpuHour'))}/vCPU-h`,
      pool: 'platform',
      monthly: p.vcpu * H * book.scalar('rdsProxyVcpuHour'),
    });
  for (const e of of('elasticache'))
    line({
      id: 'elasticache',
      component: 'ElastiCache (rate limit store)',
      detail: `${count(e.nodes, 'node')} of ${e.nodeType} at ${money(book.table('elasticacheHour', e.nodeType))}/h`,
      pool: 'platform',
      monthly: e.nodes * H * book.table('elasticacheHour', e.nodeType),
    });
  const logGroups = of('log-group').length;
  if (logGroups)
    line({
      id: 'logs',
      component: 'CloudWatch Logs',
      detail: `${a.logIngestGb} GB ingested over ${count(logGroups, 'log group')} at ${money(book.scalar('logsIngestGb'))}/GB`,
      pool: 'platform',
      monthly: a.logIngestGb * book.scalar('logsIngestGb'),
    });
  const keys = of('kms-key').length;
  if (keys)
    line({
      id: 'kms',
      component: 'KMS keys',
      detail: `${count(keys, 'key')} at ${money(book.scalar('kmsKeyMonth'))}/month`,
      pool: 'platform',
      monthly: keys * book.scalar('kmsKeyMonth'),
    });
  const secrets = of('secret').length;
  if (secrets)
    line({
      id: 'secrets',
      component: 'Secrets Manager',
      detail: `${count(secrets, 'secret')} at ${money(book.scalar('secretMonth'))}/month`,
      pool: 'platform',
      monthly: secrets * book.scalar('secretMonth'),
    });
  const repos = of('ecr-repository').length;
  if (repos)
    line({
      id: 'ecr',
      component: 'ECR storage',
      detail: `${a.ecrStorageGb} GB over ${count(repos, 'repository', 'repositories')} at ${money(book.scalar('ecrGbMonth'))}/GB-month`,
      pool: 'platform',
      monthly: a.ecrStorageGb * book.scalar('ecrGbMonth'),
    });
  const acls = of('waf-web-acl');
  if (acls.length) {
    const rules = acls.reduce((n, w) => n + w.rules, 0);
    line({
      id: 'waf',
      component: 'WAF',
      detail: `${count(acls.length, 'web ACL')}, ${count(rules, 'rule')}, ${a.requestsMillionsPerMonth} million requests`,
      pool: 'platform',
      monthly:
        acls.length * book.scalar('wafWebAclMonth') +
        rules * book.scalar('wafRuleMonth') +
        a.requestsMillionsPerMonth * book.scalar('wafMillionRequests'),
    });
  }
  const endpoints = of('interface-endpoint');
  if (endpoints.length) {
    const azHours = endpoints.reduce((n, e) => n + e.azs, 0);
    line({
      id: 'endpoints',
      component: 'VPC interface endpoints',
      detail: `${count(endpoints.length, 'endpoint')} in ${count(azHours, 'AZ')} in all at ${money(book.scalar('interfaceEndpointHour'))}/AZ-h, ${a.endpointDataGb} GB`,
      pool: 'platform',
      monthly: azHours * H * book.scalar('interfaceEndpointHour') + a.endpointDataGb * book.scalar('interfaceEndpointGb'),
    });
  }

  // Optimisations are priced from the same book, before a missing price is reported.
  const optimisations = optimisationsOf(input, book, onDemandInstances, scaledHours);
  if (book.missing.length) throw new ConfigError(PLATFORM_FILE, book.missing);

  const sum = (pool?: CostPool) => round(lines.filter((l) => !pool || l.pool === pool).reduce((n, l) => n + l.monthly, 0));
  const totals = { monthly: sum(), platform: sum('platform'), sharedNodes: sum('shared-nodes'), dedicated: sum('dedicated') };
  const tiers = tierCosts(input, totals, dedicated, book, a);
  const pending = optimisations.filter((o) => !o.applied).reduce((n, o) => n + o.monthlySaving, 0);
  return {
    region: input.region,
    priceTable: { date: PRICE_TABLE_DATE, source: PRICE_TABLE_SOURCE },
    assumptions: a,
    reservedNodeGroups: [...cost.reservedNodeGroups],
    lines,
    totals,
    tenants: input.tenants.length,
    perTenantAverage: input.tenants.length ? round(totals.monthly / input.tenants.length) : null,
    shareRule: SHARE_RULE,
    tiers,
    optimisations,
    optimisedMonthly: round(totals.monthly - pending),
    unknownTypes: inventory.unknownTypes,
  };
}

/** Weight of each tenant in a pool: half its share of the pool's CPU requests, half of its memory requests. */
export function shareWeights(tenants: readonly Pick<CostTenant, 'cpu' | 'memoryGiB'>[]): number[] {
  const cpu = tenants.reduce((n, t) => n + t.cpu, 0);
  const mem = tenants.reduce((n, t) => n + t.memoryGiB, 0);
  return tenants.map((t) => (cpu ? t.cpu / cpu : 0) / 2 + (mem ? t.memoryGiB / mem : 0) / 2);
}

/** The share of a pool one tenant of `tier` carries: its tenants' average weight, or one more tenant's when there are none. */
function tierShare(pool: readonly CostTenant[], tier: string, spec: TierSpec): number {
  const members = pool.filter((t) => t.tier === tier);
  if (members.length) {
    const weights = shareWeights(pool);
    return pool.reduce((n, t, i) => n + (t.tier === tier ? weights[i] : 0), 0) / members.length;
  }
  const extra = { id: '', tier, stack: '', cpu: cpuCores(spec.quota.cpu), memoryGiB: memoryGiB(spec.quota.memory) };
  return shareWeights([...pool, extra]).at(-1)!;
}

function tierCosts(
  input: EstimateInput,
  totals: Estimate['totals'],
  dedicated: ReadonlyMap<string, { monthly: number; tenants: number }>,
  book: PriceBook,
  a: CostAssumptions,
): TierCost[] {
  const sharedTenants = input.tenants.filter((t) => input.tiers[t.tier]?.nodes.isolation === 'shared');
  const rootVolume = input.inventory.items.find((i): i is NodeGroupItem => i.kind === 'nodes' && i.role !== 'agents')?.rootVolumeGiB ?? 0;
  return Object.entries(input.tiers).map(([tier, spec]) => {
    const tenants = input.tenants.filter((t) => t.tier === tier).length;
    let dedicatedPerTenant = 0;
    if (spec.nodes.isolation === 'dedicated') {
      const d = dedicated.get(tier);
      const g = spec.nodes.nodeGroup;
      // A tier without tenants yet: its node group as the tier defines it, priced like the stack would create it.
      dedicatedPerTenant = d
        ? d.monthly / d.tenants
        : g.desiredSize *
          (a.hoursPerMonth *
            book.table('ec2Hour', g.instanceTypes[0]) *
            (input.cost.reservedNodeGroups.includes('dedicated') ? 1 - a.reservedDiscount : 1) +
            rootVolume * book.scalar('ebsGp3GbMonth'));
    }
    const platformSharePerTenant = totals.platform * tierShare(input.tenants, tier, spec);
    const sharedNodesSharePerTenant = spec.nodes.isolation === 'shared' ? totals.sharedNodes * tierShare(sharedTenants, tier, spec) : 0;
    const perTenant = round(dedicatedPerTenant + platformSharePerTenant + sharedNodesSharePerTenant);
    const price = input.tierPrices?.[tier] ?? null;
    return {
      tier,
      isolation: spec.nodes.isolation,
      tenants,
      dedicatedPerTenant: round(dedicatedPerTenant),
      platformSharePerTenant: round(platformSharePerTenant),
      sharedNodesSharePerTenant: round(sharedNodesSharePerTenant),
      perTenant,
      price,
      margin: price === null ? null : round((price - perTenant) / price, 4),
    };
  });
}

function optimisationsOf(input: EstimateInput, book: PriceBook, onDemand: ReadonlyMap<NodeGroupItem, number>, scaledHours: number): Optimisation[] {
  const a = input.cost.assumptions;
  const H = a.hoursPerMonth;
  const groups = [...onDemand.keys()];
  const result: Optimisation[] = [];
  const pct = (n: number) => `${Math.round(n * 100)} %`;

  const spot = groups.filter((g) => g.role === 'tenants' && g.capacityType === 'SPOT');
  const tenantsOnDemand = groups.find(isTenantsOnDemand);
  if (spot.length) {
    const nodes = spot.reduce((n, g) => n + g.desiredSize, 0);
    result.push({
      id: 'spot',
      title: 'Spot share of the shared tenant nodes',
      applied: true,
      monthlySaving: round(spot.reduce((n, g) => n + (onDemand.get(g) ?? 0), 0) * a.spotDiscount),
      detail: `${nodes} Spot nodes provisioned (eks.nodeGroups.tenants.spot), ${pct(a.spotDiscount)} below On-Demand (assumption spotDiscount)`,
      apply: '',
    });
  } else if (tenantsOnDemand) {
    const g = tenantsOnDemand;
    const split = splitTenantCapacity({
      instanceTypes: [g.instanceType],
      minSize: g.minSize,
      desiredSize: g.desiredSize,
      maxSize: g.maxSize,
      spot: { share: a.spotShare, instanceTypes: [] },
    });
    const nodes = split.spot?.desiredSize ?? 0;
    result.push({
      id: 'spot',
      title: 'Spot share of the shared tenant nodes',
      applied: false,
      monthlySaving: round(nodes * H * book.table('ec2Hour', g.instanceType) * a.spotDiscount),
      detail: `${nodes} of ${g.desiredSize} tenants nodes as Spot (share ${a.spotShare}, rounded down as the platform splits it), ${pct(a.spotDiscount)} below On-Demand`,
      apply: `set eks.nodeGroups.tenants.spot {"share": ${a.spotShare}, "instanceTypes": [two or more types of ${g.instanceType}'s size]} in platform.json`,
    });
  }

  for (const steady of ['system', 'dedicated'] as const) {
    const steadyGroups = groups.filter((g) => g.role === steady && g.capacityType === 'ON_DEMAND');
    if (!steadyGroups.length) continue;
    const applied = input.cost.reservedNodeGroups.includes(steady);
    result.push({
      id: `reserved-${steady}`,
      title: `Reserved pricing for the ${steady} nodes`,
      applied,
      monthlySaving: round(steadyGroups.reduce((n, g) => n + (onDemand.get(g) ?? 0), 0) * a.reservedDiscount),
      detail: `${steadyGroups.reduce((n, g) => n + g.desiredSize, 0)} nodes run all month; a 1-year reservation or Savings Plan at ${pct(a.reservedDiscount)} off (assumption reservedDiscount)`,
      apply: applied ? '' : `buy the reservation, then add "${steady}" to cost.reservedNodeGroups in platform.json`,
    });
  }

  if (tenantsOnDemand) {
    const g = tenantsOnDemand;
    const price = book.table('ec2Hour', g.instanceType) + (g.rootVolumeGiB * book.scalar('ebsGp3GbMonth')) / H;
    const s = input.scaleDown;
    const away = Math.max(0, g.desiredSize - (s ? s.minSize : a.scaleDownMinSize));
    const hours = s ? scaledHours : a.scaleDownHoursPerMonth;
    result.push({
      id: 'scale-down',
      title: 'Scheduled scale-down of the shared tenant nodes (nights and weekends)',
      applied: s !== undefined,
      monthlySaving: round(away * hours * price),
      detail: s
        ? `${away} of ${g.desiredSize} On-Demand tenants nodes removed for ${round(hours)} h a month (eks.nodeGroups.tenants.scaleDown, ${s.downAt}:00-${s.upAt}:00 ${s.timeZone}${s.weekends ? ' and weekends' : ''}), when Cluster Autoscaler finds them idle`
        : `${away} of ${g.desiredSize} On-Demand tenants nodes removed for ${hours} h a month (assumptions scaleDownMinSize, scaleDownHoursPerMonth), when Cluster Autoscaler finds them idle`,
      apply: s ? '' : 'set eks.nodeGroups.tenants.scaleDown {"minSize", "downAt", "upAt", "weekends", "timeZone"} in platform.json',
    });
  }
  return result;
}
