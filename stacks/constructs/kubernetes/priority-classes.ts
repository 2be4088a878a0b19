import { PriorityClassV1 } from '@cdktf/provider-kubernetes/lib/priority-class-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/config/names';
import type { PlatformSpec } from '../../../src/config/platform-schema';
import type { TierSpec } from '../../../src/config/tiers';

export interface PriorityClassesProps {
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
  readonly dependsOn?: ITerraformDependable[];
}

/** User-defined priority classes must stay below the system classes (2000000000 and up). */
const MAX_USER_PRIORITY = 1000000000;

/**
 * One PriorityClass per tier (tenant-<tier>): under node pressure, pods of higher tiers preempt
 * those of lower tiers on shared nodes. None is the global default.
 */
export class PriorityClasses extends Construct {
  /** Priority class per tier name. */
  readonly classes: Readonly<Record<string, PriorityClassV1>>;

  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const tierNames = Object.keys(props.tiers).sort();
    if (tierNames.length === 0) throw new Error('PriorityClasses: no tiers given: pass the resolved tier catalog (resolveTiers)');
    const classes: Record<string, PriorityClassV1> = {};
    for (const tier of tierNames) {
      const { priority, description } = props.tiers[tier];
      if (!Number.isInteger(priority) || priority < 0 || priority > MAX_USER_PRIORITY) {
        throw new Error(`tier ${tier}: priority ${priority} must be an integer from 0 to ${MAX_USER_PRIORITY}`);
      }
      const name = names.priorityClass(tier);
      classes[tier] = new PriorityClassV1(this, tier, {
        metadata: { name, labels: { 'tenantctl.io/tier': tier } },
        value: priority,
        preemptionPolicy: 'PreemptLowerPriority',
        globalDefault: false,
        description: `tenantctl tier ${tier}: ${description}`,
        dependsOn: props.dependsOn,
      });
    }
    this.classes = classes;
  }
}
