import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import { poolSelector } from '../../../src/model/node-pools';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { DedicatedNodes, TENANT_NODE_KEY } from './dedicated-nodes';

export interface TenantSchedulingProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  readonly namespace: string;
}

const POD_CREATE = { any: [{ resources: { kinds: ['Pod'], operations: ['CREATE'] } }] };

/** Istio's sidecar resource annotations, which the injector reads on every (re-)injection. */
export const SIDECAR_RESOURCE_ANNOTATIONS = {
  requestCpu: 'sidecar.istio.io/proxyCPU',
  limitCpu: 'sidecar.istio.io/proxyCPULimit',
  requestMemory: 'sidecar.istio.io/proxyMemory',
  limitMemory: 'sidecar.istio.io/proxyMemoryLimit',
} as const;

/**
 * A Kyverno policy in the tenant's namespace that schedules and sizes every Pod the way the tier
 * says, without the tenant's help: the tier's PriorityClass; the node selector of the shared
 * `tenants` nodes or, for dedicated tenants, the node selector and toleration of the tenant's
 * own nodes; and the tier's sidecar resources, unless the Pod sizes its sidecar itself (within
 * the LimitRange), so the default pod the quota is planned for is the one that runs. The policy
 * serves the tenant; the platform's TenantPodAdmission holds every tenant pod to its tier's
 * priority and placement whatever this policy says (the tenant's pipeline writes it). The sidecar annotations are read by Istio's injector, which the
 * mesh re-invokes after this policy (reinvocationPolicy IfNeeded), in whichever order the
 * webhooks first run.
 *
 * Pods are mutated directly (autogen off): the Priority admission plugin has already resolved
 * `spec.priority` when the webhook runs, so the policy sets the matching integer along with the
 * class name (the PriorityClass value must equal the tier's `priority`). Kyverno >= 1.13
 * (`failureAction`, `allowExistingViolations`); fields Kyverno's CRD defaults inside rules are set
 * explicitly, else kubernetes_manifest reports an inconsistent result after apply.
 */
export class TenantScheduling extends Construct {
  readonly policyName = 'tenant-scheduling';

  constructor(scope: Construct, id: string, props: TenantSchedulingProps) {
    super(scope, id);
    const { tenant } = props;
    const names = platformNames(props.platform);
    const dedicated = tenant.tierSpec.nodes.isolation === 'dedicated';

    const rules: Record<string, unknown>[] = [
      {
        name: 'tier-priority',
        match: POD_CREATE,
        skipBackgroundRequests: true,
        mutate: { patchStrategicMerge: { spec: { priorityClassName: names.priorityClass(tenant.tier), priority: tenant.tierSpec.priority } } },
      },
    ];
    const sidecar = tenant.tierSpec.sidecar;
    rules.push({
      name: 'sidecar-resources',
      match: POD_CREATE,
      skipBackgroundRequests: true,
      mutate: {
        patchStrategicMerge: {
          // +(key): add when absent.
          metadata: {
            annotations: Object.fromEntries(
              Object.entries(SIDECAR_RESOURCE_ANNOTATIONS).map(([field, key]) => [`+(${key})`, sidecar[field as keyof typeof sidecar]]),
            ),
          },
        },
      },
    });
    if (!dedicated) {
      rules.push({
        name: 'shared-node-selector',
        match: POD_CREATE,
        skipBackgroundRequests: true,
        mutate: { patchStrategicMerge: { spec: { nodeSelector: poolSelector('tenants') } } },
      });
    } else {
      const taint = DedicatedNodes.taint(tenant);
      rules.push(
        {
          name: 'dedicated-node-selector',
          match: POD_CREATE,
          skipBackgroundRequests: true,
          mutate: { patchStrategicMerge: { spec: { nodeSelector: DedicatedNodes.labels(tenant) } } },
        },
        {
          // A JSON patch appends; a strategic merge would replace the Pod's other tolerations.
          name: 'dedicated-node-toleration',
          match: POD_CREATE,
          skipBackgroundRequests: true,
          preconditions: {
            all: [
              {
                key: `{{ request.object.spec.tolerations[?key=='${TENANT_NODE_KEY}' && value=='${tenant.id}'] || \`[]\` | length(@) }}`,
                operator: 'Equals',
                value: 0,
              },
            ],
          },
          mutate: {
            patchesJson6902: JSON.stringify([
              { op: 'add', path: '/spec/tolerations/-', value: { key: taint.key, operator: 'Equal', value: taint.value, effect: 'NoSchedule' } },
            ]),
          },
        },
      );
    }
    new Manifest(this, 'policy', {
      manifest: {
        apiVersion: 'kyverno.io/v1',
        kind: 'Policy',
        metadata: {
          name: this.policyName,
          namespace: props.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'tenantctl', [TENANT_NODE_KEY]: tenant.id },
          annotations: {
            'pod-policies.kyverno.io/autogen-controllers': 'none',
            'policies.kyverno.io/title': `Scheduling of tenant ${tenant.id}`,
            'policies.kyverno.io/description': dedicated
              ? `Priority ${names.priorityClass(tenant.tier)}; Pods run on the tenant's dedicated nodes only.`
              : `Priority ${names.priorityClass(tenant.tier)}; Pods run on the shared tenant nodes.`,
          },
        },
        spec: { background: false, rules },
      },
    });
  }
}
