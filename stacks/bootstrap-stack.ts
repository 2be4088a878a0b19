import { DataAwsEksClusters } from '@cdktf/provider-aws/lib/data-aws-eks-clusters';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Fn, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Project } from '../src/model/project';
import { TFC_AWS_AUDIENCE, credentialAccounts, projectStacks } from '../src/model/workspaces';
import { TenantctlStack } from './constructs/tenantctl-stack';
import { bootstrapStackName, platformNames } from '../src/model/names';
import { TenantBoundary } from './constructs/tfc/tenant-boundary';
import { TenantRunRoleAccess } from './constructs/tfc/tenant-run-role-access';
import { TfcRunRole } from './constructs/tfc/tfc-run-role';
import { nodeRole } from './constructs/eks/node-role';

export interface BootstrapStackProps {
  readonly project: Project;
  /** `platform` or a service account name. */
  readonly accountName: string;
}

/**
 * Terraform Cloud's trust in one AWS account: the IAM OIDC provider for its workload identity
 * tokens, and one run role per workspace that needs credentials in this account (its own
 * included). In the platform account also the Kubernetes access of each tenant run role
 * (TenantRunRoleAccess), once the cluster exists; in every account the permissions boundary of
 * tenant roles (TenantBoundary), whether or not tenants live there yet; in the platform account
 * the node role of each tenant with dedicated nodes, owned here so its pipeline cannot choose
 * what the role is (the cluster trusts it as that tenant's nodes). Applied once with the account's admin
 * credentials; after that its own workspace runs it with dynamic credentials like every other stack.
 */
export class BootstrapStack extends TenantctlStack {
  constructor(scope: Construct, props: BootstrapStackProps) {
    const { project, accountName } = props;
    const tfc = project.platform.terraformCloud;
    if (!tfc) throw new Error('BootstrapStack needs terraformCloud in platform.json');
    super(scope, bootstrapStackName(accountName), { platform: project.platform, accountName, kind: 'bootstrap' });

    const oidc = new IamOpenidConnectProvider(this, 'tfc-oidc-provider', {
      url: `https://${tfc.hostname}`,
      clientIdList: [TFC_AWS_AUDIENCE],
      tags: { Name: `terraform-cloud-${tfc.hostname}` },
    });
    new TenantBoundary(this, 'tenant-boundary', { platform: project.platform, accountName });
    const stacks = projectStacks(project).filter((stack) => credentialAccounts(stack).includes(accountName));
    const roles = stacks.map(
      (stack) =>
        new TfcRunRole(this, `run-role-${stack.name}`, { platform: project.platform, stack, roleAccount: accountName, oidcProviderArn: oidc.arn }),
    );
    const tenants = stacks.flatMap((stack, i) => (stack.tenant ? [{ tenant: stack.tenant, runRole: roles[i].role }] : []));
    if (accountName === 'platform') {
      const names = platformNames(project.platform);
      for (const { tenant } of tenants.filter((t) => t.tenant.tierSpec.nodes.isolation === 'dedicated')) {
        nodeRole(this, {
          id: `node-role-${tenant.names.stack}`,
          attachmentIdPrefix: `node-role-${tenant.names.stack}-`,
          name: tenant.names.nodeRole,
          description: `EKS managed nodes dedicated to tenant ${tenant.id}`,
          partition: names.partition,
        });
      }
    }
    if (accountName === 'platform' && tenants.length > 0) {
      const clusterName = platformNames(project.platform).cluster;
      const clusters = new DataAwsEksClusters(this, 'clusters');
      const whenClusterExists = Fn.conditional(Fn.contains(clusters.names, clusterName), 1, 0);
      for (const { tenant, runRole } of tenants) {
        new TenantRunRoleAccess(this, `cluster-access-${tenant.names.stack}`, { platform: project.platform, tenant, runRole, whenClusterExists });
      }
    }
    new TerraformOutput(this, 'oidc_provider_arn', {
      value: oidc.arn,
      description: 'IAM OIDC provider trusted for Terraform Cloud workload identity',
    });
    new TerraformOutput(this, 'run_role_arns', {
      value: Object.fromEntries(roles.map((r, i) => [stacks[i].name, r.role.arn])),
      description: 'Run role of each workspace that deploys into this account',
    });
  }
}
