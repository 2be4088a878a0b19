import { PriorityClassV1 } from '@cdktf/provider-kubernetes/lib/priority-class-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { MAX_TIER_PRIORITY, PLATFORM_PRIORITY } from '../../../src/model/priorities';
import type { TierSpec } from '../../../src/model/tiers';

export interface PriorityClassesProps {
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The platform's PriorityClass (`tenantctl-platform`, the highest user-definable value) for
 * platform components that are not cluster-critical (those use Kubernetes' system classes), and
 * one PriorityClass per tier (tenant-<tier>), all below it: under node pressure, pods of higher
 * tiers preempt those of lower tiers on shared nodes, and no tenant pod preempts a platform pod.
 * None is the global default.
 */
export class PriorityClasses extends Construct {
  /** Priority class of platform components. */
  readonly platform: PriorityClassV1;
  /** Priority class per tier name. */
  readonly classes: Readonly<Record<string, PriorityClassV1>>;

  constructor(scope: Construct, id: string, props: PriorityClassesProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const tierNames = Object.keys(props.tiers).sort();
    if (tierNames.length === 0) throw new Error('PriorityClasses: no tiers given: pass the resolved tier catalog (resolveTiers)');

    // Tier names cannot hold an underscore, so no tier's class can take this id.
    this.platform = new PriorityClassV1(this, 'platform_class', {
      metadata: { name: names.platformPriorityClass, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
      value: PLATFORM_PRIORITY,
      preemptionPolicy: 'PreemptLowerPriority',
      globalDefault: false,
      description: 'tenantctl platform components: above every tenant tier',
      dependsOn: props.dependsOn,
    });

    const classes: Record<string, PriorityClassV1> = {};
    for (const tier of tierNames) {
      const { priority, description } = props.tiers[tier];
      if (!Number.isInteger(priority) || priority < 0 || priority > MAX_TIER_PRIORITY) {
        throw new Error(
          `tier ${tier}: priority ${priority} must be an integer from 0 to ${MAX_TIER_PRIORITY}, below the platform's ${PLATFORM_PRIORITY}`,
        );
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
