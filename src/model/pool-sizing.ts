import { rdsMaxConnections } from './instance-types';

export interface PoolSizingInput {
  readonly tenants: number;
  readonly servicesPerTenant: number;
  readonly replicasPerService: number;
  readonly instanceClass: string;
}

export interface PoolSizing {
  /** Connections the workloads want: tenants x services x replicas x 0.5 (rule of thumb). */
  readonly wanted: number;
  /** What the instance class allows (`max_connections`). */
  readonly instanceMax: number;
  /** The proxy's `max_connections_percent`. */
  readonly maxConnectionsPercent: number;
  /** The proxy's `max_idle_connections_percent`. */
  readonly maxIdleConnectionsPercent: number;
  /** True when the instance class, not the workload, sets the limit: consider a larger class. */
  readonly cappedByInstance: boolean;
}

/** Headroom left on the database for the platform's admin and migration connections. */
const MAX_PERCENT = 90;
const MIN_PERCENT = 10;

/**
 * Sizes the RDS Proxy pool from the tenant capacity the platform is planned for. Half of all
 * service replicas holding a connection at once is the rule of thumb (RDS Proxy multiplexes the
 * rest); the result is capped by what the instance class allows.
 */
export function poolSizing(input: PoolSizingInput): PoolSizing {
  const wanted = Math.ceil(input.tenants * input.servicesPerTenant * input.replicasPerService * 0.5);
  const instanceMax = rdsMaxConnections(input.instanceClass) ?? 1000;
  const percent = Math.ceil((wanted / instanceMax) * 100);
  const maxConnectionsPercent = Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, percent));
  return {
    wanted,
    instanceMax,
    maxConnectionsPercent,
    maxIdleConnectionsPercent: Math.floor(maxConnectionsPercent / 2),
    cappedByInstance: percent > MAX_PERCENT,
  };
}
