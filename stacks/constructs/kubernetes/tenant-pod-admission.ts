import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TENANT_LABEL, TIER_LABEL } from '../../../src/model/labels';
import { platformNames } from '../../../src/model/names';
import { POOL_LABEL } from '../../../src/model/node-pools';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TierSpec } from '../../../src/model/tiers';
import { TENANT_NODE_KEY } from '../tenant/dedicated-nodes';
import { celString, celTemplate } from './sql-job-admission';
import { validatingAdmissionPolicy } from './validating-admission-policy';

export interface TenantPodAdmissionProps {
  readonly platform: PlatformSpec;
  readonly tiers: Readonly<Record<string, TierSpec>>;
  /** The PriorityClasses the policy names. */
  readonly dependsOn?: ITerraformDependable[];
}

const TIER_MARKER = 'tiernamemarker';

/**
 * What every Pod of a tenant namespace must say about where and how urgently it runs, whoever
 * creates it (a Deployment's ReplicaSet, a tenant admin, the pipeline): its tier's PriorityClass
 * (never the platform's), the shared tenant nodes for shared tiers and its own nodes for dedicated
 * ones, and no toleration of the system nodes, of another tenant's nodes or of every taint. The
 * tenant's Kyverno policy (TenantScheduling) sets these for the tenant; this policy, in the API
 * server and owned by the platform, holds them even if a tenant's own objects say otherwise. The
 * tier and tenant come from the namespace's labels, which only the platform or the tenant's
 * entitled pipeline writes (TenantDeployerAccess). Fixed at creation, priority and placement are
 * checked on CREATE; tolerations, which an update may add, on UPDATE too.
 */
export function tenantPodAdmissionSpec(platform: PlatformSpec, tiers: Readonly<Record<string, TierSpec>>): Record<string, unknown> {
  const names = platformNames(platform);
  const tierNames = Object.keys(tiers).sort();
  const dedicated = tierNames.filter((t) => tiers[t].nodes.isolation === 'dedicated');
  const label = (key: string) =>
    `has(namespaceObject.metadata.labels) && '${key}' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['${key}'] : ''`;
  const created = (expression: string) => `request.operation != 'CREATE' || (${expression})`;
  const selector = (key: string, value: string) =>
    `has(object.spec.nodeSelector) && '${key}' in object.spec.nodeSelector && object.spec.nodeSelector['${key}'] == ${value}`;
  const priorityClass = celTemplate(names.priorityClass(TIER_MARKER), { [TIER_MARKER]: 'variables.tier' });
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] },
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }],
    },
    variables: [
      { name: 'tenant', expression: label(TENANT_LABEL) },
      { name: 'tier', expression: label(TIER_LABEL) },
    ],
    validations: [
      {
        expression: `variables.tier in [${tierNames.map(celString).join(', ')}]`,
        message: `a tenant namespace carries the ${TIER_LABEL} label of a tier of the catalog (${tierNames.join(', ')})`,
      },
      {
        expression: created(`has(object.spec.priorityClassName) && object.spec.priorityClassName == ${priorityClass}`),
        message: `Pods of a tenant run at their tier's PriorityClass (${names.priorityClass('<tier>')}), below every platform component`,
      },
      {
        expression: created(
          `variables.tier in [${dedicated.map(celString).join(', ')}] ? ${selector(TENANT_NODE_KEY, 'variables.tenant')} : ${selector(POOL_LABEL, celString('tenants'))}`,
        ),
        message:
          `Pods of a shared tier run on the shared tenant nodes (${POOL_LABEL}=tenants), those of a dedicated tier on the tenant's ` +
          `own nodes (${TENANT_NODE_KEY}=<tenant>)`,
      },
      {
        expression:
          `!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != '' && t.key != '${POOL_LABEL}' && ` +
          `(t.key != '${TENANT_NODE_KEY}' || (has(t.value) && t.value == variables.tenant)))`,
        message:
          `Pods of a tenant tolerate neither the system nodes' taint (${POOL_LABEL}), nor another tenant's nodes ` +
          `(${TENANT_NODE_KEY}), nor every taint (a toleration without a key)`,
      },
    ],
  };
}

/** The policy of tenantPodAdmissionSpec, one object whatever the number of tenants. */
export class TenantPodAdmission extends Construct {
  constructor(scope: Construct, id: string, props: TenantPodAdmissionProps) {
    super(scope, id);
    const name = platformNames(props.platform).tenantPodAdmissionPolicy;
    validatingAdmissionPolicy(this, 'admission-policy', {
      name,
      spec: tenantPodAdmissionSpec(props.platform, props.tiers),
      dependsOn: props.dependsOn,
    });
  }
}
