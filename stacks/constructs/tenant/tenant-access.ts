import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1, type RoleV1Rule } from '@cdktf/provider-kubernetes/lib/role-v1';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { clusterAccess } from '../iam/cluster-access';
import { TENANT_ADMIN_ACCESS_POLICY } from '../tfc/tenant-run-permissions';
import { tenantLabels } from './tenant-namespace';

export interface TenantAccessProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace (a reference, so the Role is created after it). */
  readonly namespace: string;
  readonly clusterName: string;
}

export const TENANT_ADMIN_ROLE = 'tenant-admin';
const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];

/**
 * What a tenant's admins may do in their namespace: run and configure workloads. Everything that
 * isolates the tenant (quota, limit range, network policies, RBAC, mTLS and authorization
 * policies, Envoy filters, sidecars) stays out of reach, so admins cannot undo their isolation.
 */
export const TENANT_ADMIN_RULES: readonly RoleV1Rule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts'], verbs: ALL },
  { apiGroups: [''], resources: ['pods/log'], verbs: READ },
  { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['endpoints', 'events'], verbs: READ },
  // DaemonSets are left out: tenants get no per-node agents.
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets', 'deployments/scale', 'statefulsets/scale'], verbs: ALL },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ALL },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ALL },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ALL },
  // Routing is read-only: the shared gateway accepts every tenant host, so a tenant able to write
  // VirtualServices could bind another tenant's host. tenantctl owns the tenant's routes.
  { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules'], verbs: READ },
];

/**
 * Tenant admin access: the `tenant-admin` Role bound to the group `tenant-<id>-admins`, and, when
 * the tenant names an IAM principal, an EKS access entry mapping it to that group. The access
 * entry's policy is the namespace-scoped view policy; the Role grants the rest through RBAC.
 */
export class TenantAccess extends Construct {
  readonly role: RoleV1;

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const { tenant } = props;
    const labels = tenantLabels(tenant);

    this.role = new RoleV1(this, 'role', {
      metadata: { name: TENANT_ADMIN_ROLE, namespace: props.namespace, labels },
      rule: TENANT_ADMIN_RULES.map((r) => ({ ...r })),
    });
    new RoleBindingV1(this, 'role-binding', {
      metadata: { name: TENANT_ADMIN_ROLE, namespace: props.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.metadata.name },
      subject: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: tenant.names.adminGroup }],
    });

    if (!tenant.adminPrincipalArn) return;
    clusterAccess(
      this,
      { entry: 'access-entry', association: 'access-policy' },
      {
        clusterName: props.clusterName,
        principalArn: tenant.adminPrincipalArn,
        partition: platformNames(props.platform).partition,
        policy: TENANT_ADMIN_ACCESS_POLICY,
        kubernetesGroups: [tenant.names.adminGroup],
        // The namespace's name, not a reference: the access entry is AWS-side and needs no Kubernetes object.
        namespaces: [tenant.names.namespace],
      },
    );
  }
}
