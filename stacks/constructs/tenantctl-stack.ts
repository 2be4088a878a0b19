import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import {
  Aspects,
  CloudBackend,
  Fn,
  LocalBackend,
  NamedCloudWorkspace,
  TerraformDataSource,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  type IAspect,
} from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { platformNames } from '../../src/config/names';
import type { PlatformSpec } from '../../src/config/platform-schema';
import { PLATFORM_CREDENTIALS_TAG, accountIdOf, workspaceFor } from '../../src/config/workspaces';
import { ClusterProviders } from './kubernetes/cluster-providers';

export interface TenantctlStackProps {
  readonly platform: PlatformSpec;
  /** `platform` or the name of a service account from platform.json. */
  readonly accountName: string;
  /** Stack kind, used in tags: platform, tenant, bootstrap. */
  readonly kind: string;
  /** Extra tags on every AWS resource of the stack. */
  readonly tags?: Record<string, string>;
}

/**
 * The backend of a stack: its own Terraform Cloud workspace (in the project of the account it
 * deploys into) when `terraformCloud` is configured, otherwise a local state file per stack.
 */
export function configureBackend(stack: TerraformStack, platform: PlatformSpec, stackName: string, accountName: string): void {
  const tfc = platform.terraformCloud;
  if (tfc) {
    const { workspace, project } = workspaceFor(platform, stackName, accountName);
    new CloudBackend(stack, { organization: tfc.organization, hostname: tfc.hostname, workspaces: new NamedCloudWorkspace(workspace, project) });
  } else {
    // Relative to the stack's working directory (cdktf.out/stacks/<id>): <project>/state/<id>.
    new LocalBackend(stack, { path: `../../../state/${stackName}/terraform.tfstate` });
  }
}

/**
 * What every tenantctl stack that deploys into AWS shares: the AWS provider pinned to the stack's
 * own account (a run with the wrong credentials fails instead of touching another account),
 * default tags on every resource, and the backend.
 *
 * Credentials: in Terraform Cloud every run gets dynamic credentials for the role of its
 * workspace (set by the workspaces stack). Without Terraform Cloud the platform account uses
 * the ambient AWS credentials and a service account the AWS CLI profile of the same name.
 */
export class TenantctlStack extends TerraformStack {
  readonly platform: PlatformSpec;
  readonly accountName: string;
  readonly accountId: string;
  /** The provider of the stack's own account. */
  readonly aws: AwsProvider;
  private readonly kind: string;
  private readonly extraTags?: Record<string, string>;

  constructor(scope: Construct, id: string, props: TenantctlStackProps) {
    super(scope, id);
    this.platform = props.platform;
    this.accountName = props.accountName;
    this.accountId = accountIdOf(props.platform, props.accountName);
    this.kind = props.kind;
    this.extraTags = props.tags;
    const local = !props.platform.terraformCloud && props.accountName !== 'platform' ? { profile: props.accountName } : {};
    this.aws = new AwsProvider(this, 'aws', { ...this.providerConfig(props.accountName), ...local });
    configureBackend(this, props.platform, id, props.accountName);
  }

  /**
   * For a stack in a service account whose resources mostly live in the platform account (the
   * cluster, the database and their IAM): adds an `aws.platform` provider and sends every AWS
   * resource and data source that names no provider to it. Resources that belong in the stack's
   * own account must be given `provider: this.aws`. Returns the provider for the platform account
   * (the default one when the stack already is in the platform account).
   */
  protected routeToPlatformAccount(): AwsProvider {
    if (this.accountName === 'platform') return this.aws;
    const provider = new AwsProvider(this, 'aws-platform', { ...this.providerConfig('platform'), ...this.platformCredentials(), alias: 'platform' });
    Aspects.of(this).add(new DefaultAwsProvider(provider));
    return provider;
  }

  /**
   * The kubernetes provider of a tenant stack. In Terraform Cloud the token is signed with the
   * run's platform-account credentials: the tenant run role has its own access entry (from the
   * bootstrap stack, TenantRunRoleAccess), limited to the tenant's objects. A tenant in a service
   * account points the AWS CLI at its tagged platform-account credentials. Without Terraform Cloud
   * the operator's own principal is used (the platform stack's applier access or
   * `eks.adminPrincipalArns`).
   */
  protected tenantClusterProviders(): ClusterProviders {
    const names = platformNames(this.platform);
    const configFile = this.platformConfigFile();
    return new ClusterProviders(this, 'cluster', {
      clusterName: names.cluster,
      region: this.platform.aws.region,
      ...(configFile ? { env: { AWS_CONFIG_FILE: configFile, AWS_PROFILE: 'default' } } : {}),
    });
  }

  /** Credentials for the platform account when the stack's own account is another one. */
  private platformCredentials(): Partial<AwsProviderConfig> {
    const configFile = this.platformConfigFile();
    return configFile ? { sharedConfigFiles: [configFile] } : {};
  }

  /**
   * Under Terraform Cloud, for a stack outside the platform account: the shared config file of
   * its platform-account credentials. Terraform Cloud writes one file per tagged configuration and
   * passes their paths in this variable (dynamic credentials, "multiple configurations").
   */
  private platformConfigFile(): string | undefined {
    if (this.accountName === 'platform' || !this.platform.terraformCloud) return undefined;
    const existing = this.node.tryFindChild('tfc_aws_dynamic_credentials') as TerraformVariable | undefined;
    const dynamicCredentials =
      existing ??
      new TerraformVariable(this, 'tfc_aws_dynamic_credentials', {
        description: 'Set by Terraform Cloud: the shared config files of the dynamic AWS credentials',
        type: 'object({ default = object({ shared_config_file = string }), aliases = map(object({ shared_config_file = string })) })',
      });
    return Fn.lookupNested(dynamicCredentials.value, ['aliases', PLATFORM_CREDENTIALS_TAG, 'shared_config_file']);
  }

  private providerConfig(accountName: string): AwsProviderConfig {
    const names = platformNames(this.platform);
    return {
      region: this.platform.aws.region,
      allowedAccountIds: [accountIdOf(this.platform, accountName)],
      defaultTags: [
        {
          tags: {
            'tenantctl:platform': this.platform.name,
            'tenantctl:environment': this.platform.environment,
            'tenantctl:stack': this.node.id,
            'tenantctl:account': this.accountName,
            'tenantctl:kind': this.kind,
            'managed-by': 'tenantctl',
            'cost-center': names.prefix,
            ...this.extraTags,
          },
        },
      ],
    };
  }
}

/** Gives every AWS resource and data source without an explicit provider this one. */
class DefaultAwsProvider implements IAspect {
  constructor(private readonly provider: AwsProvider) {}

  visit(node: IConstruct): void {
    if ((node instanceof TerraformResource || node instanceof TerraformDataSource) && node.terraformResourceType.startsWith('aws_') && !node.provider) {
      node.provider = this.provider;
    }
  }
}
