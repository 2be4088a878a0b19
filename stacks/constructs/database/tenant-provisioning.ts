import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PLATFORM_PRIORITY_CLASS, platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { PROVISIONER_CONCURRENCY } from '../../../src/database/sql';
import { IrsaRole } from '../identity/irsa-role';
import { NAMESPACE_ROLE_LABEL } from '../kubernetes/platform-namespaces';
import { provisioningNetworkPolicies } from './provisioning-network';

export interface TenantProvisioningProps {
  readonly platform: PlatformSpec;
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  /** `prx-...`: IAM authentication through a proxy names the proxy in `rds-db:connect`. */
  readonly proxyResourceId: string;
  /**
   * What must exist before anything is created in the cluster (the add-ons).
   * @default - nothing
   */
  /** `<ip>/32` of each network interface of the STS endpoint (StsEndpointAddresses). */
  readonly stsEndpointCidrs: string[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Where tenant stacks provision their database objects: the namespace `tenantctl-provisioning`,
 * holding only the `tenant-provisioner` service account, whose IRSA role may connect at the proxy
 * as the tenant provisioner database user and nothing else (that user may only create and update
 * tenants, see templates/sql/platform.sql), and the network policies of a provisioning namespace.
 * Tenant pipelines may create their own Jobs here and nothing else (TenantDeployerAccess); the
 * master identity stays in the platform namespace, out of their reach.
 */
export class TenantProvisioning extends Construct {
  readonly namespace: NamespaceV1;
  /** What a tenant provisioning Job needs in place: namespace, service account, policies, IAM. */
  readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: TenantProvisioningProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    const namespaceName = names.namespaces.tenantProvisioning;

    this.namespace = new NamespaceV1(this, 'namespace', {
      dependsOn: props.dependsOn,
      metadata: {
        name: namespaceName,
        labels: {
          'app.kubernetes.io/managed-by': 'tenantctl',
          [NAMESPACE_ROLE_LABEL]: 'tenant-provisioning',
          // Tenant pipelines create Jobs here: their Pods get the restricted level and nothing more.
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    const namespace = this.namespace.metadata.name;

    const role = new IrsaRole(this, 'role', {
      roleName: names.dbTenantProvisionerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: namespaceName,
      serviceAccount: names.dbTenantProvisionerServiceAccount,
      statements: [
        {
          Sid: 'ConnectAsTenantProvisionerThroughProxy',
          Effect: 'Allow',
          Action: ['rds-db:connect'],
          Resource: [names.dbUserArn(props.proxyResourceId, names.dbTenantProvisionerUser)],
        },
      ],
    });
    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: {
        name: names.dbTenantProvisionerServiceAccount,
        namespace,
        annotations: { 'eks.amazonaws.com/role-arn': role.arn },
        labels: { 'app.kubernetes.io/managed-by': 'tenantctl' },
      },
      // Only the provisioning Pods use it, and they opt in to the token (IRSA needs it).
      automountServiceAccountToken: false,
    });
    const networkPolicies = provisioningNetworkPolicies(this, { platform, namespace, stsEndpointCidrs: props.stsEndpointCidrs });
    // Tenant pipelines may create Jobs here under any hash of their names; at platform priority on
    // the system nodes, more of them at once than the provisioner has connections would only crowd
    // out platform Pods. Finished Pods do not count.
    const quota = new ResourceQuotaV1(this, 'platform-priority-quota', {
      metadata: { name: 'platform-priority', namespace, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
      spec: {
        hard: { pods: String(PROVISIONER_CONCURRENCY) },
        scopeSelector: { matchExpression: [{ scopeName: 'PriorityClass', operator: 'In', values: [PLATFORM_PRIORITY_CLASS] }] },
      },
    });
    this.dependables = [serviceAccount, quota, ...networkPolicies, ...role.permissions];
  }
}
