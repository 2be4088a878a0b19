import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudBackend, LocalBackend, NamedCloudWorkspace, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { platformNames } from '../../src/config/names';
import type { PlatformSpec } from '../../src/config/platform-schema';
import { accountIdOf, workspaceFor } from '../../src/config/workspaces';

export interface TenantctlStackProps {
  readonly platform: PlatformSpec;
  /** `platform` or the name of a service account from platform.json. */
  readonly accountName: string;
  /** Stack kind, used in tags: platform, tenant, workspaces, bootstrap. */
  readonly kind: string;
  /** Extra tags on every AWS resource of the stack. */
  readonly tags?: Record<string, string>;
}

/**
 * What every tenantctl stack shares: the AWS provider pinned to the stack's own account (a run
 * with the wrong credentials fails instead of touching another account), default tags on every
 * resource, and the backend: a local state file per stack, or the stack's own Terraform Cloud
 * workspace when `terraformCloud` is configured.
 */
export class TenantctlStack extends TerraformStack {
  readonly platform: PlatformSpec;
  readonly accountId: string;
  readonly aws: AwsProvider;

  constructor(scope: Construct, id: string, props: TenantctlStackProps) {
    super(scope, id);
    this.platform = props.platform;
    this.accountId = accountIdOf(props.platform, props.accountName);
    const names = platformNames(props.platform);
    this.aws = new AwsProvider(this, 'aws', {
      region: props.platform.aws.region,
      allowedAccountIds: [this.accountId],
      defaultTags: [
        {
          tags: {
            'tenantctl:platform': props.platform.name,
            'tenantctl:environment': props.platform.environment,
            'tenantctl:stack': id,
            'tenantctl:account': props.accountName,
            'managed-by': 'tenantctl',
            'cost-center': names.prefix,
            ...props.tags,
          },
        },
      ],
    });
    const tfc = props.platform.terraformCloud;
    if (tfc) {
      const { workspace, project } = workspaceFor(props.platform, id, props.accountName);
      new CloudBackend(this, {
        organization: tfc.organization,
        hostname: tfc.hostname,
        workspaces: new NamedCloudWorkspace(workspace, project),
      });
    } else {
      // Relative to the stack's working directory (cdktf.out/stacks/<id>): <project>/state/<id>.
      new LocalBackend(this, { path: `../../../state/${id}/terraform.tfstate` });
    }
  }
}
