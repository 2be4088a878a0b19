import { ec2Capacity } from '../instance-types';
import { partitionOf } from '../regions';

/**
 * The on-demand prices tenantctl estimates with, in USD, per region: Linux, shared tenancy, no
 * upfront commitment. Source: the AWS public price list (pricing.us-east-1.amazonaws.com offer
 * files) and the service pricing pages (aws.amazon.com/<service>/pricing), as published on
 * PRICE_TABLE_DATE. They were written from those pages without network access and are NOT verified
 * offline: every value can be replaced in platform.json (`cost.prices`), and the README lists the
 * regions shipped. A region without shipped prices estimates only with `cost.prices` for every key.
 */
export const PRICE_TABLE_DATE = '2025-11-01';
export const PRICE_TABLE_SOURCE = 'AWS public price list (offer files) and service pricing pages, on-demand, USD; not verified offline';

/** Prices of one region. Hourly prices are per resource-hour, monthly ones per month. */
export interface RegionPrices {
  /** EKS control plane, standard support. */
  readonly eksClusterHour: number;
  /** EC2 Linux on-demand, per instance type; the shipped table gives each family's `.large` (see ec2Hour). */
  readonly ec2Hour: Readonly<Record<string, number>>;
  /** EBS gp3, per GiB-month (node root volumes). */
  readonly ebsGp3GbMonth: number;
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** Each public IPv4 address (NAT gateways' Elastic IPs, the ALB's addresses). */
  readonly publicIpv4Hour: number;
  readonly albHour: number;
  readonly albLcuHour: number;
  /** RDS for PostgreSQL single-AZ, per instance class; Multi-AZ (one standby) is twice this. */
  readonly rdsHour: Readonly<Record<string, number>>;
  /** RDS gp3 storage single-AZ, per GiB-month; Multi-AZ is twice this. */
  readonly rdsGp3GbMonth: number;
  /** RDS Proxy per vCPU-hour of the instance it fronts (minimum 2 vCPU). */
  readonly rdsProxyVcpuHour: number;
  /** ElastiCache for Valkey, node-based, per node type. */
  readonly elasticacheHour: Readonly<Record<string, number>>;
  readonly logsIngestGb: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly ecrGbMonth: number;
  readonly wafWebAclMonth: number;
  readonly wafRuleMonth: number;
  readonly wafMillionRequests: number;
  /** Interface VPC endpoint, per endpoint and AZ. */
  readonly interfaceEndpointHour: number;
  readonly interfaceEndpointGb: number;
}

export type PriceKey = keyof RegionPrices;
/** Keys whose value is a table by instance type or class. */
export const PRICE_TABLES = ['ec2Hour', 'rdsHour', 'elasticacheHour'] as const satisfies readonly PriceKey[];
export type PriceTableKey = (typeof PRICE_TABLES)[number];
export type ScalarPriceKey = Exclude<PriceKey, PriceTableKey>;

/** Prices AWS sets the same in every commercial region: known for regions without a table of their own too. */
const GLOBAL = {
  eksClusterHour: 0.1,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  ecrGbMonth: 0.1,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafMillionRequests: 0.6,
  publicIpv4Hour: 0.005,
} as const;

/**
 * `.large` (2 vCPU) prices by EC2 family; AWS prices the sizes of a family in proportion to their
 * memory (xlarge = 2 x large, t3.medium = t3.large / 2), so one price per family prices every size.
 */
type FamilyPrices = Readonly<Record<string, number>>;
const US_EAST_EC2: FamilyPrices = {
  m5: 0.096,
  m6i: 0.096,
  m6a: 0.0864,
  m6g: 0.077,
  m7i: 0.1008,
  m7a: 0.11592,
  m7g: 0.0816,
  m8g: 0.08976,
  c5: 0.085,
  c6i: 0.085,
  c6a: 0.0765,
  c6g: 0.068,
  c7i: 0.08925,
  c7g: 0.0725,
  c8g: 0.07976,
  r5: 0.126,
  r6i: 0.126,
  r6a: 0.1134,
  r6g: 0.1008,
  r7i: 0.1323,
  r7g: 0.1071,
  r8g: 0.11782,
  t3: 0.0832,
  t4g: 0.0672,
};
const US_EAST_RDS = {
  'db.r6g.large': 0.225,
  'db.r7g.large': 0.239,
  'db.m6g.large': 0.159,
  'db.m7g.large': 0.168,
  'db.r6i.large': 0.25,
  'db.t4g.large': 0.129,
};

/** The shipped regions. Family and class tables list what is known for the region; others need `cost.prices`. */
const SHIPPED: Readonly<Record<string, { ec2Large: FamilyPrices; prices: Omit<RegionPrices, 'ec2Hour' | keyof typeof GLOBAL> }>> = {
  'us-east-1': {
    ec2Large: US_EAST_EC2,
    prices: {
      ebsGp3GbMonth: 0.08,
      natGatewayHour: 0.045,
      natGatewayGb: 0.045,
      albHour: 0.0225,
      albLcuHour: 0.008,
      rdsHour: US_EAST_RDS,
      rdsGp3GbMonth: 0.115,
      rdsProxyVcpuHour: 0.015,
      elasticacheHour: { 'cache.m7g.large': 0.1264, 'cache.r7g.large': 0.1752, 'cache.t4g.medium': 0.052 },
      logsIngestGb: 0.5,
      interfaceEndpointHour: 0.01,
      interfaceEndpointGb: 0.01,
    },
  },
  'ap-northeast-1': {
    ec2Large: {
      m5: 0.124,
      m6i: 0.124,
      m6a: 0.1116,
      m6g: 0.099,
      m7i: 0.1302,
      m7g: 0.1054,
      c5: 0.107,
      c6i: 0.107,
      c6g: 0.0856,
      r5: 0.152,
      r6i: 0.152,
      r6g: 0.1216,
      t3: 0.1088,
      t4g: 0.0864,
    },
    prices: {
      ebsGp3GbMonth: 0.096,
      natGatewayHour: 0.062,
      natGatewayGb: 0.062,
      albHour: 0.0243,
      albLcuHour: 0.008,
      rdsHour: { 'db.r6g.large': 0.29, 'db.m6g.large': 0.2, 'db.r6i.large': 0.315, 'db.t4g.large': 0.166 },
      rdsGp3GbMonth: 0.138,
      rdsProxyVcpuHour: 0.018,
      elasticacheHour: { 'cache.m7g.large': 0.1616, 'cache.r7g.large': 0.2192 },
      logsIngestGb: 0.76,
      interfaceEndpointHour: 0.014,
      interfaceEndpointGb: 0.01,
    },
  },
  'eu-west-1': {
    ec2Large: {
      m5: 0.107,
      m6i: 0.107,
      m6g: 0.086,
      m7g: 0.0912,
      c5: 0.096,
      c6i: 0.096,
      c6g: 0.077,
      r5: 0.141,
      r6i: 0.141,
      r6g: 0.1128,
      t3: 0.0912,
      t4g: 0.0736,
    },
    prices: {
      ebsGp3GbMonth: 0.088,
      natGatewayHour: 0.048,
      natGatewayGb: 0.048,
      albHour: 0.0252,
      albLcuHour: 0.008,
      rdsHour: { 'db.r6g.large': 0.25, 'db.m6g.large': 0.176, 'db.r6i.large': 0.278 },
      rdsGp3GbMonth: 0.127,
      rdsProxyVcpuHour: 0.0165,
      elasticacheHour: { 'cache.m7g.large': 0.1408 },
      logsIngestGb: 0.57,
      interfaceEndpointHour: 0.011,
      interfaceEndpointGb: 0.01,
    },
  },
  'eu-central-1': {
    ec2Large: {
      m5: 0.115,
      m6i: 0.115,
      m6g: 0.092,
      m7g: 0.0976,
      c5: 0.097,
      c6i: 0.097,
      c6g: 0.0776,
      r5: 0.152,
      r6i: 0.152,
      r6g: 0.1216,
      t3: 0.096,
      t4g: 0.0768,
    },
    prices: {
      ebsGp3GbMonth: 0.0952,
      natGatewayHour: 0.052,
      natGatewayGb: 0.052,
      albHour: 0.027,
      albLcuHour: 0.008,
      rdsHour: { 'db.r6g.large': 0.263, 'db.m6g.large': 0.186, 'db.r6i.large': 0.292 },
      rdsGp3GbMonth: 0.137,
      rdsProxyVcpuHour: 0.018,
      elasticacheHour: { 'cache.m7g.large': 0.1512 },
      logsIngestGb: 0.63,
      interfaceEndpointHour: 0.012,
      interfaceEndpointGb: 0.01,
    },
  },
};
// us-east-2 and us-west-2 price these services as us-east-1 does.
const ALIASES: Readonly<Record<string, string>> = { 'us-east-2': 'us-east-1', 'us-west-2': 'us-east-1' };

/** Regions with shipped prices. */
export const PRICED_REGIONS: readonly string[] = [...Object.keys(SHIPPED), ...Object.keys(ALIASES)].sort();

/** Every size of the shipped families, priced from the family's `.large` by memory. */
function ec2Table(large: FamilyPrices): Record<string, number> {
  const table: Record<string, number> = {};
  for (const [family, price] of Object.entries(large)) {
    const reference = ec2Capacity(`${family}.large`);
    for (const size of ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge']) {
      const cap = ec2Capacity(`${family}.${size}`);
      if (cap && reference) table[`${family}.${size}`] = round(price * (cap.memoryGiB / reference.memoryGiB), 5);
    }
  }
  return table;
}

/** RDS classes scale by size like EC2: `db.r6g.xlarge` is twice `db.r6g.large`. */
function rdsTable(large: Readonly<Record<string, number>>): Record<string, number> {
  const table: Record<string, number> = {};
  for (const [cls, price] of Object.entries(large)) {
    const family = cls.replace(/\.large$/, '');
    for (const [size, factor] of [
      ['large', 1],
      ['xlarge', 2],
      ['2xlarge', 4],
      ['4xlarge', 8],
    ] as const)
      table[`${family}.${size}`] = round(price * factor, 5);
  }
  return table;
}

/**
 * The shipped prices of a region. A commercial region without a table gets the prices that are
 * the same everywhere; GovCloud and China (priced in CNY) get none.
 */
export function shippedPrices(region: string): Partial<RegionPrices> {
  const shipped = SHIPPED[ALIASES[region] ?? region];
  if (!shipped) return partitionOf(region) === 'aws' ? { ...GLOBAL } : {};
  return { ...GLOBAL, ...shipped.prices, ec2Hour: ec2Table(shipped.ec2Large), rdsHour: rdsTable(shipped.prices.rdsHour) };
}

/** `cost.prices` of platform.json: any scalar, and entries of the tables. */
export type PriceOverrides = Partial<Omit<RegionPrices, PriceTableKey>> & Partial<Record<PriceTableKey, Readonly<Record<string, number>>>>;

/** The shipped prices with the overrides over them (table entries merged one by one). */
export function regionPrices(region: string, overrides: PriceOverrides = {}): Partial<RegionPrices> {
  const shipped = shippedPrices(region);
  const merged: Record<string, unknown> = { ...shipped, ...overrides };
  for (const key of PRICE_TABLES) merged[key] = { ...(shipped[key] ?? {}), ...(overrides[key] ?? {}) };
  return merged as Partial<RegionPrices>;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
