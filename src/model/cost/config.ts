import { z } from 'zod';
import { HOURS_PER_WEEK, scaleDownHoursPerWeek } from '../scale-down';
import { PRICE_TABLES, type PriceOverrides, type RegionPrices } from './prices';

/**
 * The `cost` block of platform.json: price overrides and the assumptions of the estimate. Every
 * default is here, once; `tenantctl cost --set <key>=<value>` overrides an assumption for one run.
 */

/** AWS's own hours in a month (8,760 / 12). */
export const HOURS_PER_MONTH = 730;
/** The night the scale-down option is priced at while none is configured: 20:00 to 08:00 and weekends. */
export const DEFAULT_NIGHT = { downAt: 20, upAt: 8, weekends: true } as const;

const usd = z.number().min(0, 'must be a price in USD, 0 or more');
const fraction = (what: string) => z.number().min(0, `must be between 0 and 1 (${what})`).max(1, `must be between 0 and 1 (${what})`);

export const assumptionsSchema = z
  .object({
    hoursPerMonth: z.number().positive().max(744).default(HOURS_PER_MONTH),
    /** Average Load Balancer Capacity Units of the ALB (new connections, active connections, bytes, rule evaluations). */
    albLcus: z.number().min(0).default(5),
    /** Requests through the ALB and WAF a month, in millions (the source exercise: 50 million). */
    requestsMillionsPerMonth: z.number().min(0).default(50),
    /** GB a month through the NAT gateways (image pulls are on the endpoints, not here). */
    natDataGb: z.number().min(0).default(200),
    /** GB a month through the interface endpoints. */
    endpointDataGb: z.number().min(0).default(100),
    /** GB of CloudWatch Logs ingested a month, over every log group (control plane, flow logs, WAF, RDS, ElastiCache). */
    logIngestGb: z.number().min(0).default(100),
    /** GB stored in ECR across the repositories. */
    ecrStorageGb: z.number().min(0).default(60),
    /** Spot price below On-Demand for the tenants' Spot nodes (AWS's Spot history for m6i/m7i: 60 to 70 %). */
    spotDiscount: fraction('the Spot saving').default(0.65),
    /** Spot share the Spot option is priced at while eks.nodeGroups.tenants.spot is not set (the source document: half). */
    spotShare: z.number().min(0).lt(1, 'must be below 1: part of the tenants nodes stays On-Demand').default(0.5),
    /** Saving of a 1-year no-upfront reserved instance (or Savings Plan) over On-Demand (m6i: about 37 %). */
    reservedDiscount: fraction('the reserved saving').default(0.37),
    /** On-Demand tenants nodes left at night, for the scale-down option while eks.nodeGroups.tenants.scaleDown is not set. */
    scaleDownMinSize: z.number().int().min(0).default(1),
    /** Hours a month the shared tenant nodes would be scaled down while eks.nodeGroups.tenants.scaleDown is not set (nights 20-08 and weekends). */
    scaleDownHoursPerMonth: z
      .number()
      .min(0)
      .max(744)
      .default(Math.round((scaleDownHoursPerWeek(DEFAULT_NIGHT) * HOURS_PER_MONTH) / HOURS_PER_WEEK)),
  })
  .strict();
export type CostAssumptions = z.output<typeof assumptionsSchema>;
export type AssumptionKey = keyof CostAssumptions;
export const DEFAULT_ASSUMPTIONS: CostAssumptions = assumptionsSchema.parse({});

/** Node groups that run all month whatever the load, and so may be bought as reserved capacity. */
export const STEADY_NODE_GROUPS = ['system', 'dedicated'] as const;
export type SteadyNodeGroup = (typeof STEADY_NODE_GROUPS)[number];

/** The prices that are one number per region (the others are tables by instance or class). */
export const SCALAR_PRICE_KEYS = [
  'eksClusterHour',
  'ebsGp3GbMonth',
  'natGatewayHour',
  'natGatewayGb',
  'publicIpv4Hour',
  'albHour',
  'albLcuHour',
  'rdsGp3GbMonth',
  'rdsProxyVcpuHour',
  'logsIngestGb',
  'kmsKeyMonth',
  'secretMonth',
  'ecrGbMonth',
  'wafWebAclMonth',
  'wafRuleMonth',
  'wafMillionRequests',
  'interfaceEndpointHour',
  'interfaceEndpointGb',
] as const satisfies readonly Exclude<keyof RegionPrices, (typeof PRICE_TABLES)[number]>[];

const tableKey = {
  ec2Hour: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
  rdsHour: /^db\.[a-z0-9]+\.[a-z0-9]+$/,
  elasticacheHour: /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
} as const;
const tableExample = { ec2Hour: 'm6i.large', rdsHour: 'db.r6g.large', elasticacheHour: 'cache.m7g.large' } as const;

export const priceOverridesSchema = z
  .object({
    ...Object.fromEntries(SCALAR_PRICE_KEYS.map((k) => [k, usd.optional()])),
    ...Object.fromEntries(
      PRICE_TABLES.map((k) => [k, z.record(z.string().regex(tableKey[k], `must be a type such as ${tableExample[k]}`), usd).optional()]),
    ),
  })
  .strict() as unknown as z.ZodType<PriceOverrides>;

export const costSchema = z
  .object({
    /** Prices that replace the shipped table's (USD; hourly, per GB or per month as the key says). */
    prices: priceOverridesSchema.default({}),
    assumptions: assumptionsSchema.default({}),
    /** Steady node groups priced as reserved capacity (reservedDiscount off On-Demand). */
    reservedNodeGroups: z
      .array(z.enum(STEADY_NODE_GROUPS, { errorMap: () => ({ message: `must be one of ${STEADY_NODE_GROUPS.join(', ')}` }) }))
      .default([]),
  })
  .strict();
export type CostConfig = z.output<typeof costSchema>;
export const DEFAULT_COST: CostConfig = costSchema.parse({});
