import { Testing } from 'cdktf';
import type { PlatformConfig } from '../../src/model/platform-schema';
import type { CostTenant } from '../../src/model/cost/estimate';
import type { SynthesizedStack } from '../../src/model/cost/inventory';
import { resolveTiers, type TierSpec } from '../../src/model/tiers';
import { cpuCores, memoryGiB } from '../../src/model/quantities';
import { PlatformStack } from '../../stacks/platform-stack';
import { platformSpec } from '../util';

/** The platform stack of a configuration, synthesized as `tenantctl synth` writes it. */
export function synthPlatformStack(overrides: Partial<PlatformConfig> = {}): SynthesizedStack {
  return { name: 'platform', json: JSON.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: platformSpec(overrides) }))) };
}

/** `count` tenants of a tier, named `<tier>-<n>`, weighed by the tier's quota requests. */
export function tenantsOf(tier: string, spec: TierSpec, count: number): CostTenant[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${tier}-${i}`,
    tier,
    stack: `tenant-${tier}-${i}`,
    cpu: cpuCores(spec.quota.cpu),
    memoryGiB: memoryGiB(spec.quota.memory),
  }));
}

/**
 * The source exercise (課題43, section 10): ap-northeast-1, 500 tenants, system nodes m6i.large x 2,
 * enterprise nodes m6i.xlarge x 5 (five enterprise tenants, one node each), standard nodes m6i.large
 * x 10 (the shared tenants group), db.r6g.large Multi-AZ. The mix of the 495 shared-tier tenants
 * is not given there: 95 standard, 400 starter.
 */
export const SOURCE_PLATFORM: Partial<PlatformConfig> = {
  aws: { region: 'ap-northeast-1', accountId: '111122223333' },
  eks: {
    nodeGroups: {
      system: { instanceTypes: ['m6i.large'], minSize: 2, desiredSize: 2, maxSize: 4 },
      tenants: { instanceTypes: ['m6i.large'], minSize: 3, desiredSize: 10, maxSize: 20 },
    },
  },
  database: { instanceClass: 'db.r6g.large' },
};
export const SOURCE_TIERS = resolveTiers({
  enterprise: { nodes: { isolation: 'dedicated', nodeGroup: { instanceTypes: ['m6i.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2 } } },
});
export const SOURCE_TENANTS: CostTenant[] = [
  ...tenantsOf('starter', SOURCE_TIERS.starter, 400),
  ...tenantsOf('standard', SOURCE_TIERS.standard, 95),
  ...tenantsOf('enterprise', SOURCE_TIERS.enterprise, 5),
];
