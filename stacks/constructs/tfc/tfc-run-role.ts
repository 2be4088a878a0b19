import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { TFC_AWS_AUDIENCE, tfcRoleName, workspaceFor, type StackInfo } from '../../../src/model/workspaces';
import { runPermissions } from './run-permissions';
import { policyDocument, webIdentityTrust } from '../iam/documents';
import { awsManagedPolicyArn } from '../iam/arns';

export interface TfcRunRoleProps {
  readonly platform: PlatformSpec;
  /** The stack whose workspace's runs assume the role. */
  readonly stack: StackInfo;
  /** The account the role lives in (the stack's own, or the platform account for a tenant in a service account). */
  readonly roleAccount: string;
  /** ARN of the account's IAM OIDC provider for Terraform Cloud. */
  readonly oidcProviderArn: string;
}

/**
 * The IAM role one workspace's runs assume through Terraform Cloud's workload identity: only a
 * token for exactly this organization, project and workspace (plan or apply phase) is trusted.
 */
export class TfcRunRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: TfcRunRoleProps) {
    super(scope, id);
    const { platform, stack } = props;
    const tfc = platform.terraformCloud;
    if (!tfc) throw new Error('TfcRunRole needs terraformCloud in platform.json');
    if (!stack.accountName) throw new Error(`stack ${stack.name} deploys into no AWS account`);
    const { workspace, project } = workspaceFor(platform, stack.name, stack.accountName);
    const host = tfc.hostname;
    this.role = new IamRole(this, 'role', {
      name: tfcRoleName(platform, stack.name),
      description: `Terraform Cloud runs of workspace ${workspace} (project ${project})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: webIdentityTrust(props.oidcProviderArn, {
        StringEquals: { [`${host}:aud`]: TFC_AWS_AUDIENCE },
        StringLike: { [`${host}:sub`]: `organization:${tfc.organization}:project:${project}:workspace:${workspace}:run_phase:*` },
      }),
      tags: { 'tenantctl:workspace': workspace },
    });
    const permissions = runPermissions(platform, stack, props.roleAccount);
    new IamRolePolicy(this, 'policy', {
      name: 'terraform-run',
      role: this.role.name,
      policy: policyDocument(permissions.statements),
    });
    for (const managed of permissions.managedPolicies) {
      new IamRolePolicyAttachment(this, `managed-${managed}`, {
        role: this.role.name,
        policyArn: awsManagedPolicyArn(platformNames(platform).partition, managed),
      });
    }
  }
}
