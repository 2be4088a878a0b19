import { ec2Architecture, ec2Capacity, sameSizeInstanceTypes } from './instance-types';
import type { NodeGroupSize } from './tiers';

/** `eks.nodeGroups.tenants.spot` of platform.json. */
export interface TenantSpotConfig {
  /** Fraction (0 to below 1) of the tenants node group's bounds provisioned as Spot. */
  readonly share: number;
  /** Spot pools to draw from: two or more types of the tenants nodes' size. */
  readonly instanceTypes: string[];
}

/** `eks.nodeGroups.tenants` of platform.json. */
export interface TenantNodesConfig extends NodeGroupSize {
  readonly spot?: TenantSpotConfig;
}

/** The shared tenant nodes as node groups: the On-Demand `tenants` group and, with a share, a Spot one. */
export interface TenantCapacity {
  readonly onDemand: NodeGroupSize;
  /** Absent without Spot (no `spot`, or a share of 0). */
  readonly spot?: NodeGroupSize;
}

/**
 * Splits the tenants bounds: Spot gets `share` of the minimum, desired and maximum size, each
 * rounded down, and On-Demand the rest. Rounding towards On-Demand keeps the guaranteed floor on
 * capacity AWS cannot reclaim, never gives Spot more than its share, keeps at least one
 * On-Demand node at the maximum (share < 1), and keeps min <= desired <= max in both groups.
 * Cluster Autoscaler balances the two groups (one pool), so Spot is filled up to its maximum
 * alongside On-Demand, not before it.
 */
export function splitTenantCapacity(tenants: TenantNodesConfig): TenantCapacity {
  const { spot: spotConfig, ...onDemandSize } = tenants;
  const share = spotConfig?.share ?? 0;
  if (!spotConfig || share === 0) return { onDemand: onDemandSize };
  const spotOf = (n: number) => Math.floor(share * n);
  const spot: NodeGroupSize = {
    instanceTypes: [...spotConfig.instanceTypes],
    minSize: spotOf(tenants.minSize),
    desiredSize: spotOf(tenants.desiredSize),
    maxSize: spotOf(tenants.maxSize),
  };
  return {
    onDemand: {
      instanceTypes: tenants.instanceTypes,
      minSize: tenants.minSize - spot.minSize,
      desiredSize: tenants.desiredSize - spot.desiredSize,
      maxSize: tenants.maxSize - spot.maxSize,
    },
    spot,
  };
}

export interface SpotCapacityIssue {
  /** Path below `eks.nodeGroups.tenants`. */
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * What makes a Spot configuration unusable: a share that buys no node, or Spot types of another
 * size or architecture than the tenants nodes. One size matters twice: Cluster Autoscaler balances
 * the two groups as one pool, and a Pod that fits an On-Demand node must fit a Spot one.
 */
export function spotCapacityIssues(tenants: TenantNodesConfig): SpotCapacityIssue[] {
  const spot = tenants.spot;
  if (!spot) return [];
  const issues: SpotCapacityIssue[] = [];
  if (spot.share > 0 && splitTenantCapacity(tenants).spot?.maxSize === 0) {
    const minShare = Math.ceil(100 / tenants.maxSize) / 100;
    issues.push({
      path: ['spot', 'share'],
      message:
        `${spot.share} of maxSize ${tenants.maxSize} is less than one Spot node (Spot gets share × size, rounded down): use a share ` +
        `of at least ${minShare} or raise eks.nodeGroups.tenants.maxSize`,
    });
  }
  const reference = tenants.instanceTypes[0];
  const size = ec2Capacity(reference);
  if (!size) {
    issues.push({
      path: ['instanceTypes', 0],
      message:
        `tenantctl does not know the vCPU and memory of ${reference}, so it cannot check the Spot types against it: use a general ` +
        `purpose, compute or memory optimised type such as m6i.xlarge`,
    });
    return issues;
  }
  const arch = ec2Architecture(reference);
  const alike = `${size.vcpu} vCPU, ${size.memoryGiB} GiB and ${arch} like the tenants nodes (${reference}), e.g. ${sameSizeInstanceTypes(reference).join(', ')}`;
  spot.instanceTypes.forEach((type, i) => {
    const path = ['spot', 'instanceTypes', i];
    const cap = ec2Capacity(type);
    if (spot.instanceTypes.indexOf(type) !== i) issues.push({ path, message: `${type} is listed twice: each type is one Spot pool` });
    else if (!cap) issues.push({ path, message: `tenantctl does not know the vCPU and memory of ${type}: Spot types need ${alike}` });
    else if (cap.vcpu !== size.vcpu || cap.memoryGiB !== size.memoryGiB || ec2Architecture(type) !== arch) {
      issues.push({ path, message: `${type} has ${cap.vcpu} vCPU, ${cap.memoryGiB} GiB and is ${ec2Architecture(type)}: Spot types need ${alike}` });
    }
  });
  return issues;
}
