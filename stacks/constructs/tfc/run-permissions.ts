import { platformNames, tenantNames, tenantStackName } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { SERVICE_LINKED_ROLE_SERVICES, serviceLinkedRoleArn } from '../../../src/model/service-linked-roles';
import { type StackInfo, accountIdOf } from '../../../src/model/workspaces';
import { awsManagedPolicyArn, eksAccessPolicyArn, type EksAccessPolicy } from '../iam/arns';
import type { PolicyStatement } from '../iam/documents';
import { tenantRunStatements } from './tenant-run-permissions';
import { NODE_ROLE_POLICIES } from '../../../src/model/node-pools';

/** What StsEndpointAddresses reads: the STS endpoint service, the endpoint and its network interfaces. */
const FIND_STS_ENDPOINT = ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'];

/** What a stack's Terraform Cloud runs may do in one account. */
export interface RunPermissions {
  readonly statements: PolicyStatement[];
  readonly managedPolicies: string[];
}

const ROLE_ADMIN = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
];
const ATTACH = ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'];
const POLICY_ADMIN = [
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:ListPolicyVersions',
  'iam:TagPolicy',
  'iam:UntagPolicy',
];
const OIDC_ADMIN = [
  'iam:CreateOpenIDConnectProvider',
  'iam:DeleteOpenIDConnectProvider',
  'iam:GetOpenIDConnectProvider',
  'iam:TagOpenIDConnectProvider',
  'iam:UntagOpenIDConnectProvider',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:UpdateOpenIDConnectProviderThumbprint',
];
/** AWS managed policy of the platform stack's runs: everything but IAM, Organizations and Account. */
const POWER_USER = 'PowerUserAccess';

/**
 * Least privilege for each kind of stack, by the names tenantctl gives its resources. The
 * platform stack creates dozens of resource types across services, so it gets AWS's
 * PowerUserAccess plus IAM on its own prefix; every other stack gets named actions on named
 * resources, a tenant's derived from what its stack holds (tenant-run-permissions.ts). No stack
 * may change the Terraform Cloud roles, or their cluster access, but the account's bootstrap stack.
 */
export function runPermissions(platform: PlatformSpec, stack: StackInfo, roleAccount: string): RunPermissions {
  const names = platformNames(platform);
  const account = accountIdOf(platform, roleAccount);
  const iam = (resource: string) => `arn:${names.partition}:iam::${account}:${resource}`;
  const tfcRoles = iam(`role/${names.runRole('*')}`);
  switch (stack.kind) {
    case 'bootstrap':
      return {
        managedPolicies: [],
        statements: [
          ...(roleAccount === 'platform' ? [...tenantAccessEntryStatements(platform), ...tenantNodeRoleStatements(platform)] : []),
          {
            Sid: 'TerraformCloudOidcProvider',
            Effect: 'Allow',
            Action: OIDC_ADMIN,
            Resource: [iam(`oidc-provider/${platform.terraformCloud?.hostname}`)],
          },
          { Sid: 'TerraformCloudRunRoles', Effect: 'Allow', Action: ROLE_ADMIN, Resource: [tfcRoles] },
          { Sid: 'TenantBoundaryPolicy', Effect: 'Allow', Action: POLICY_ADMIN, Resource: [iam(`policy/${names.tenantBoundaryPolicy}`)] },
          {
            Sid: 'AttachOnlyPowerUserToRunRoles',
            Effect: 'Allow',
            Action: ATTACH,
            Resource: [tfcRoles],
            Condition: { ArnEquals: { 'iam:PolicyARN': [awsManagedPolicyArn(names.partition, POWER_USER)] } },
          },
        ],
      };
    case 'platform':
      return {
        managedPolicies: [POWER_USER],
        statements: [
          {
            Sid: 'PlatformRolesAndPolicies',
            Effect: 'Allow',
            Action: [...ROLE_ADMIN, ...ATTACH, 'iam:PassRole', ...POLICY_ADMIN],
            Resource: [iam(`role/${names.prefixPattern}`), iam(`policy/${names.prefixPattern}`)],
          },
          {
            Sid: 'AgentInstanceProfile',
            Effect: 'Allow',
            Action: [
              'iam:CreateInstanceProfile',
              'iam:DeleteInstanceProfile',
              'iam:GetInstanceProfile',
              'iam:AddRoleToInstanceProfile',
              'iam:RemoveRoleFromInstanceProfile',
              'iam:TagInstanceProfile',
              'iam:UntagInstanceProfile',
            ],
            Resource: [iam(`instance-profile/${names.prefixPattern}`)],
          },
          {
            Sid: 'ClusterOidcProvider',
            Effect: 'Allow',
            Action: OIDC_ADMIN,
            Resource: [iam(`oidc-provider/oidc.eks.${platform.aws.region}.amazonaws.com/id/*`)],
          },
          // The service-linked roles the platform's key policies name (created on a fresh account), and those the services create on first use.
          { Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'], Resource: [iam('role/aws-service-role/*')] },
          {
            Sid: 'ManagedServiceLinkedRoles',
            Effect: 'Allow',
            Action: [
              'iam:GetRole',
              'iam:TagRole',
              'iam:UntagRole',
              'iam:ListRoleTags',
              'iam:DeleteServiceLinkedRole',
              'iam:GetServiceLinkedRoleDeletionStatus',
            ],
            Resource: SERVICE_LINKED_ROLE_SERVICES.map((service) => serviceLinkedRoleArn(names.partition, account, service)),
          },
          // The prefix above also matches the run roles; only bootstrap stacks may touch those.
          { Sid: 'NotTheRunRoles', Effect: 'Deny', Action: [...ROLE_ADMIN, ...ATTACH, 'iam:PassRole'], Resource: [tfcRoles] },
        ],
      };
    case 'cluster':
      return { managedPolicies: [], statements: clusterLayer(platform) };
    case 'workspaces':
      return { managedPolicies: [], statements: agentTokenHandoff(platform) };
    case 'tenant':
      if (!stack.tenant) throw new Error(`stack ${stack.name} is a tenant stack without its tenant`);
      return { managedPolicies: [], statements: tenantRunStatements(platform, stack.tenant, roleAccount) };
    default:
      throw new Error(`stack ${stack.name} (${stack.kind}) runs with no AWS role`);
  }
}

/**
 * The cluster stack's AWS side: the IRSA roles of the platform's own add-ons, by name, and the
 * reads that find the platform by name. Everything else it applies goes through the Kubernetes API
 * (its access entry is in the platform stack, TfcClusterAccess).
 */
function clusterLayer(platform: PlatformSpec): PolicyStatement[] {
  const names = platformNames(platform);
  const { partition } = names;
  const { region, accountId } = platform.aws;
  const iam = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
  const rateLimitSecret = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${names.rateLimitRedisAuthSecret}-??????`;
  return [
    {
      Sid: 'ReadPlatformByName',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster', 'rds:DescribeDBProxies', 'kms:DescribeKey'],
      Resource: [
        `arn:${partition}:eks:${region}:${accountId}:cluster/${names.cluster}`,
        `arn:${partition}:rds:${region}:${accountId}:db-proxy:*`,
        `arn:${partition}:kms:${region}:${accountId}:key/*`,
      ],
    },
    // Finding the gateway's target group and the STS endpoint's addresses has no resource-level permission.
    // The provider's target group lookup also reads its attributes and tags, and fails if either is denied.
    {
      Sid: 'FindTargetGroup',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTags',
      ],
      Resource: ['*'],
    },
    { Sid: 'FindStsEndpoint', Effect: 'Allow', Action: [...FIND_STS_ENDPOINT], Resource: ['*'] },
    { Sid: 'AddonRoles', Effect: 'Allow', Action: ROLE_ADMIN, Resource: clusterStackRoles(platform).map((role) => iam(`role/${role}`)) },
    // The rate limit service's Redis endpoint and AUTH token (the secret ARN ends in a random suffix).
    {
      Sid: 'RateLimitRedisByName',
      Effect: 'Allow',
      Action: ['elasticache:DescribeReplicationGroups', 'secretsmanager:GetSecretValue'],
      Resource: [`arn:${partition}:elasticache:${region}:${accountId}:replicationgroup:${names.rateLimitRedis}`, rateLimitSecret],
    },
    {
      Sid: 'DecryptRateLimitToken',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [`arn:${partition}:kms:${region}:${accountId}:key/*`],
      Condition: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': rateLimitSecret },
      },
    },
  ];
}

/**
 * The workspaces stack's AWS side, with tenantctl's own agents: the Secrets Manager secret that
 * hands the agent pool's token to the agents, and the KMS key of its own that encrypts it (the
 * platform keys do not exist yet when this stack first applies). Keys are matched by the stack tag
 * every tenantctl provider sets, since a key's ARN is unknown before it exists.
 */
function agentTokenHandoff(platform: PlatformSpec): PolicyStatement[] {
  const names = platformNames(platform);
  const { partition } = names;
  const { region, accountId } = platform.aws;
  const kms = (resource: string) => `arn:${partition}:kms:${region}:${accountId}:${resource}`;
  const ownKeys = { StringEquals: { 'aws:ResourceTag/tenantctl:stack': 'workspaces' } };
  return [
    {
      Sid: 'AgentTokenSecret',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:DeleteSecret',
        'secretsmanager:TagResource',
        'secretsmanager:UntagResource',
      ],
      // Secrets Manager appends six random characters to a secret's ARN.
      Resource: [`arn:${partition}:secretsmanager:${region}:${accountId}:secret:${names.terraformAgentTokenSecret}-??????`],
    },
    {
      Sid: 'UseAgentTokenKeyThroughSecretsManager',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [kms('key/*')],
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'aws:ResourceTag/tenantctl:stack': 'workspaces' } },
    },
    {
      Sid: 'CreateAgentTokenKey',
      Effect: 'Allow',
      Action: ['kms:CreateKey'],
      Resource: ['*'],
      Condition: { StringEquals: { 'aws:RequestTag/tenantctl:stack': 'workspaces' } },
    },
    {
      Sid: 'ManageAgentTokenKey',
      Effect: 'Allow',
      Action: [
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
        'kms:GetKeyRotationStatus',
        'kms:EnableKeyRotation',
        'kms:PutKeyPolicy',
        'kms:ListResourceTags',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:UpdateKeyDescription',
        'kms:ScheduleKeyDeletion',
      ],
      Resource: [kms('key/*')],
      Condition: ownKeys,
    },
    {
      Sid: 'AgentTokenKeyAlias',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'],
      Resource: [kms(names.terraformAgentTokenKmsAlias), kms('key/*')],
    },
    // Reading an alias back lists the account's aliases: no resource-level permission.
    { Sid: 'ListAliases', Effect: 'Allow', Action: ['kms:ListAliases'], Resource: ['*'] },
  ];
}

/** The IAM roles the cluster stack owns: one IRSA role per add-on that calls AWS. */
export function clusterStackRoles(platform: PlatformSpec): string[] {
  const names = platformNames(platform);
  return [names.lbControllerRole, names.dbProvisionerRole, names.dbTenantProvisionerRole, names.dbTenantPurgerRole, names.clusterAutoscalerRole];
}

/** The access entry actions of a bootstrap run role besides creating and associating (those carry conditions). */
const ACCESS_ENTRY_MANAGEMENT = [
  'eks:DescribeAccessEntry',
  'eks:DeleteAccessEntry',
  'eks:ListAssociatedAccessPolicies',
  'eks:DisassociateAccessPolicy',
  'eks:TagResource',
  'eks:UntagResource',
];

/**
 * The platform account's bootstrap gives every tenant run role its access entry (TenantRunRoleAccess):
 * only entries of `<prefix>-tfc-tenant-*` roles, only with the tenant deployer groups, and only the
 * namespace-scoped AmazonEKSAdminPolicy on tenant namespaces. ListClusters tells it whether the
 * cluster exists yet (a first install applies the bootstrap before the platform).
 */
/**
 * The node roles of dedicated tenants (BootstrapStack): only the node policies attached; on delete
 * the provider first takes the role out of the instance profile EKS made for the node group.
 */
function tenantNodeRoleStatements(platform: PlatformSpec): PolicyStatement[] {
  const names = platformNames(platform);
  const iam = (resource: string) => `arn:${names.partition}:iam::${platform.aws.accountId}:${resource}`;
  const roles = [iam(`role/${names.tenantNodeRole('*')}`)];
  return [
    { Sid: 'TenantNodeRoles', Effect: 'Allow', Action: ROLE_ADMIN, Resource: roles },
    {
      Sid: 'AttachOnlyNodePoliciesToTenantNodeRoles',
      Effect: 'Allow',
      Action: ATTACH,
      Resource: roles,
      Condition: { ArnEquals: { 'iam:PolicyARN': NODE_ROLE_POLICIES.map((p) => awsManagedPolicyArn(names.partition, p)) } },
    },
    {
      Sid: 'TenantNodeRolesOutOfEksInstanceProfiles',
      Effect: 'Allow',
      Action: ['iam:RemoveRoleFromInstanceProfile'],
      Resource: [iam('instance-profile/eks-*')],
    },
  ];
}

function tenantAccessEntryStatements(platform: PlatformSpec): PolicyStatement[] {
  const names = platformNames(platform);
  const { partition } = names;
  const { region, accountId } = platform.aws;
  const eks = (resource: string) => `arn:${partition}:eks:${region}:${accountId}:${resource}`;
  const runRoles = names.runRole(tenantStackName('*'));
  const entries = eks(`access-entry/${names.cluster}/role/${accountId}/${runRoles}/*`);
  const groups = {
    'ForAllValues:StringLike': {
      'eks:kubernetesGroups': [names.tenantDeployers.group, `${names.tenantDeployers.tenantGroupPrefix}*`, names.tenantDeployers.purgeGroup],
    },
  };
  return [
    { Sid: 'FindCluster', Effect: 'Allow', Action: ['eks:ListClusters'], Resource: ['*'] },
    {
      Sid: 'TenantRunRoleAccessEntries',
      Effect: 'Allow',
      Action: ['eks:CreateAccessEntry'],
      Resource: [eks(`cluster/${names.cluster}`)],
      Condition: {
        ArnLike: { 'eks:principalArn': `arn:${partition}:iam::${accountId}:role/${runRoles}` },
        StringEquals: { 'eks:accessEntryType': 'STANDARD' },
        ...groups,
      },
    },
    { Sid: 'UpdateTenantRunRoleAccessEntries', Effect: 'Allow', Action: ['eks:UpdateAccessEntry'], Resource: [entries], Condition: groups },
    { Sid: 'ManageTenantRunRoleAccessEntries', Effect: 'Allow', Action: ACCESS_ENTRY_MANAGEMENT, Resource: [entries] },
    {
      Sid: 'TenantRunRolesAdminInTheirNamespace',
      Effect: 'Allow',
      Action: ['eks:AssociateAccessPolicy'],
      Resource: [entries],
      Condition: {
        StringEquals: { 'eks:policyArn': eksAccessPolicyArn(partition, TENANT_RUN_ROLE_ACCESS_POLICY), 'eks:accessScope': 'namespace' },
        'ForAllValues:StringLike': { 'eks:namespaces': [tenantNames(platform, '*').namespace] },
      },
    },
  ];
}

/** The EKS access policy of a tenant run role, scoped to the tenant's namespace (TenantRunRoleAccess). */
export const TENANT_RUN_ROLE_ACCESS_POLICY: EksAccessPolicy = 'AmazonEKSAdminPolicy';
