import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { tenantEntitlementGroups } from '../../../src/model/tenant-quota';
import { clusterAccess } from '../iam/cluster-access';
import { TENANT_RUN_ROLE_ACCESS_POLICY } from './run-permissions';

export interface TenantRunRoleAccessProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant workspace's run role in the platform account. */
  readonly runRole: IamRole;
  /**
   * 1 once the cluster exists, else 0 (a first install applies the bootstrap before the platform
   * stack creates the cluster): a Terraform expression shared by every tenant of the bootstrap.
   */
  readonly whenClusterExists: string;
}

/**
 * The Kubernetes identity of one tenant's pipeline: an access entry for its run role with the
 * tenant deployer groups and, while the tenant is active, its entitlements (tier, quota, rate
 * limit), on which RBAC and admission in the cluster stack (TenantDeployerAccess) act, and
 * AmazonEKSAdminPolicy scoped to the tenant's namespace, so the pipeline can create the
 * RoleBinding that gives it the rest of its rights there before anything else. It lives beside
 * the run role, in the bootstrap stack, so it exists before the tenant stack's first plan and no
 * other shared stack changes when tenants come and go. A removed tenant keeps it (its stack still
 * has to destroy its objects); with --purge-data it also carries the purge group.
 */
export class TenantRunRoleAccess extends Construct {
  constructor(scope: Construct, id: string, props: TenantRunRoleAccessProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const names = platformNames(platform);
    const groups = [names.tenantDeployers.group, tenant.names.deployerGroup];
    // An active tenant's entitlements; a removed one claims nothing, so its stack may only take its objects down.
    if (tenant.status === 'active') groups.push(...tenantEntitlementGroups(names, tenant.tier, tenant.tierSpec));
    if (tenant.status === 'removed' && tenant.purgeData) groups.push(names.tenantDeployers.purgeGroup);
    clusterAccess(
      this,
      { entry: 'entry', association: 'namespace-admin' },
      {
        count: Token.asNumber(props.whenClusterExists),
        clusterName: names.cluster,
        principalArn: props.runRole.arn,
        partition: names.partition,
        policy: TENANT_RUN_ROLE_ACCESS_POLICY,
        kubernetesGroups: groups,
        namespaces: [tenant.names.namespace],
      },
    );
  }
}
