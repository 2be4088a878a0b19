import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { tenantLabels } from './tenant-namespace';

export interface TenantDeployerBindingProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace (a reference, so the binding is created after it). */
  readonly namespace: string;
}

/**
 * The rights of the tenant's own pipeline in its namespace (Terraform Cloud): the platform's
 * ClusterRole `tenantctl:tenant-deployer` bound to the tenant's deployer group, in this namespace
 * only. The run role's namespace-scoped access policy lets it create this binding, and it may bind
 * no other role; everything else the stack puts in the namespace is created after it.
 */
export class TenantDeployerBinding extends Construct {
  readonly binding: RoleBindingV1;

  constructor(scope: Construct, id: string, props: TenantDeployerBindingProps) {
    super(scope, id);
    const { tenant } = props;
    const names = platformNames(props.platform);
    this.binding = new RoleBindingV1(this, 'binding', {
      metadata: { name: tenant.names.deployerBinding, namespace: props.namespace, labels: tenantLabels(tenant) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: names.tenantDeployers.namespaceRole },
      subject: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: tenant.names.deployerGroup }],
    });
  }
}
