import { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { Construct } from 'constructs';
import { TENANT_LABEL, TIER_LABEL } from '../../../src/model/labels';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { tenantQuotaHard } from '../../../src/model/tenant-quota';

export interface TenantNamespaceProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
}

/** Pod Security Admission's enforce label and the level tenant namespaces keep. */
export const POD_SECURITY_ENFORCE = { label: 'pod-security.kubernetes.io/enforce', level: 'restricted' } as const;

/**
 * The labels that isolate a tenant namespace: sidecar injection (mTLS, the mesh's egress registry
 * and the local rate limit live in the sidecar) and Pod Security at the latest restricted level.
 * Admission keeps them on the namespace (TenantDeployerAccess).
 */
export const TENANT_NAMESPACE_POLICY_LABELS: Readonly<Record<string, string>> = {
  'istio-injection': 'enabled',
  [POD_SECURITY_ENFORCE.label]: POD_SECURITY_ENFORCE.level,
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': POD_SECURITY_ENFORCE.level,
  'pod-security.kubernetes.io/audit': POD_SECURITY_ENFORCE.level,
};

/** Labels tenantctl puts on every object of a tenant. */
export function tenantLabels(tenant: Pick<TenantSpec, 'id'>): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'tenantctl', [TENANT_LABEL]: tenant.id };
}

/**
 * The tenant's namespace `tenant-<id>` with the Istio sidecar injected into every pod, the
 * restricted Pod Security level enforced, and the tier's ResourceQuota and LimitRange. The
 * LimitRange gives every container requests and limits, which the quota requires of every pod.
 * Under Terraform Cloud admission holds the quota to what the bootstrap stack entitles the
 * tenant's pipeline to (TenantDeployerAccess).
 */
export class TenantNamespace extends Construct {
  readonly namespace: NamespaceV1;
  /** The namespace name as a reference: objects created in it depend on the namespace. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const { tenant } = props;
    const { quota, limitRange } = tenant.tierSpec;
    const labels = tenantLabels(tenant);

    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: {
        name: tenant.names.namespace,
        labels: {
          ...labels,
          [TIER_LABEL]: tenant.tier,
          ...TENANT_NAMESPACE_POLICY_LABELS,
        },
      },
    });
    this.name = this.namespace.metadata.name;

    const names = platformNames(props.platform);
    new ResourceQuotaV1(this, 'quota', {
      metadata: { name: names.tenantQuota, namespace: this.name, labels },
      spec: { hard: { ...tenantQuotaHard(quota) } },
    });

    new LimitRangeV1(this, 'limits', {
      metadata: { name: names.tenantLimitRange, namespace: this.name, labels },
      spec: {
        limit: [
          {
            type: 'Container',
            default: { cpu: limitRange.defaultCpu, memory: limitRange.defaultMemory },
            defaultRequest: { cpu: limitRange.defaultRequestCpu, memory: limitRange.defaultRequestMemory },
            max: { cpu: limitRange.maxCpu, memory: limitRange.maxMemory },
          },
        ],
      },
    });
  }
}
