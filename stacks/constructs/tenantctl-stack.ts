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
import { platformNames } from '../../src/model/names';
import { STACK_TAGS } from '../../src/model/labels';
import { STATE_DIR } from '../../src/model/project';
import type { PlatformSpec } from '../../src/model/platform-schema';
import { PLATFORM_CREDENTIALS_TAG, accountIdOf, workspaceFor } from '../../src/model/workspaces';
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
    new LocalBackend(stack, { path: `../../../${STATE_DIR}/${stackName}/terraform.tfstate` });
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
   * The kubernetes (and helm) providers of a stack that applies Kubernetes resources. Their token
   * comes from `aws eks get-token` run by the provider, which does not see the credentials
   * Terraform Cloud hands the AWS provider: under Terraform Cloud it is pointed at the shared config
   * file of the platform-account credentials (the run's own, or the `PLATFORM` configuration of a
   * tenant in a service account), so the token is signed as the run role, whose access entry the
   * bootstrap or platform stack created (a tenant's is limited to that tenant's objects,
   * TenantRunRoleAccess). Without Terraform Cloud the operator's own credentials are used (the
   * platform stack's applier access or `eks.adminPrincipalArns`).
   */
  protected clusterProviders(options: { readonly helm?: boolean } = {}): ClusterProviders {
    const names = platformNames(this.platform);
    const configFile = this.platform.terraformCloud ? this.tfcCredentialsFile(this.accountName === 'platform' ? 'default' : 'platform') : undefined;
    return new ClusterProviders(this, 'cluster', {
      clusterName: names.cluster,
      region: this.platform.aws.region,
      ...options,
      ...(configFile ? { env: { AWS_CONFIG_FILE: configFile, AWS_PROFILE: 'default' } } : {}),
    });
  }

  /** Credentials for the platform account when the stack's own account is another one. */
  private platformCredentials(): Partial<AwsProviderConfig> {
    if (this.accountName === 'platform' || !this.platform.terraformCloud) return {};
    return { sharedConfigFiles: [this.tfcCredentialsFile('platform')] };
  }

  /**
   * The shared config file of one of a run's dynamic AWS credentials configurations: its own
   * account's (`default`) or the platform account's of a stack in a service account (tagged
   * `PLATFORM`). Terraform Cloud writes one file per configuration and passes their paths in this
   * variable ("multiple configurations").
   */
  private tfcCredentialsFile(configuration: 'default' | 'platform'): string {
    const existing = this.node.tryFindChild('tfc_aws_dynamic_credentials') as TerraformVariable | undefined;
    const dynamicCredentials =
      existing ??
      new TerraformVariable(this, 'tfc_aws_dynamic_credentials', {
        description: 'Set by Terraform Cloud: the shared config files of the dynamic AWS credentials',
        type: 'object({ default = object({ shared_config_file = string }), aliases = map(object({ shared_config_file = string })) })',
      });
    const path = configuration === 'default' ? ['default', 'shared_config_file'] : ['aliases', PLATFORM_CREDENTIALS_TAG, 'shared_config_file'];
    return Fn.lookupNested(dynamicCredentials.value, path);
  }

  private providerConfig(accountName: string): AwsProviderConfig {
    return awsProviderConfig(this.platform, { id: this.node.id, accountName: this.accountName, kind: this.kind, tags: this.extraTags }, accountName);
  }
}

/**
 * The AWS provider settings of a stack's resources in one account: the region, the account pin
 * and the default tags naming the stack (its own account, kind and extra tags).
 */
export function awsProviderConfig(
  platform: PlatformSpec,
  stack: { readonly id: string; readonly accountName: string; readonly kind: string; readonly tags?: Record<string, string> },
  accountName = stack.accountName,
): AwsProviderConfig {
  const names = platformNames(platform);
  return {
    region: platform.aws.region,
    allowedAccountIds: [accountIdOf(platform, accountName)],
    defaultTags: [
      {
        tags: {
          [STACK_TAGS.platform]: platform.name,
          [STACK_TAGS.environment]: platform.environment,
          [STACK_TAGS.stack]: stack.id,
          'tenantctl:account': stack.accountName,
          'tenantctl:kind': stack.kind,
          'managed-by': 'tenantctl',
          'cost-center': names.prefix,
          ...stack.tags,
        },
      },
    ],
  };
}

/** Gives every AWS resource and data source without an explicit provider this one. */
class DefaultAwsProvider implements IAspect {
  constructor(private readonly provider: AwsProvider) {}

  visit(node: IConstruct): void {
    if (
      (node instanceof TerraformResource || node instanceof TerraformDataSource) &&
      node.terraformResourceType.startsWith('aws_') &&
      !node.provider
    ) {
      node.provider = this.provider;
    }
  }
}
