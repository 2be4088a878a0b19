import { actionsOf, teardownActionsOf } from '../../../src/model/aws-actions';
import type { IdentityMode } from '../../../src/model/identity';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { tenantServices } from '../../../src/model/tenant-services';
import { accountIdOf } from '../../../src/model/workspaces';
import { NODE_TEMPLATE_TAG_PREFIX } from '../addons/cluster-autoscaler/asg-tags';
import { eksAccessPolicyArn, type EksAccessPolicy } from '../iam/arns';
import type { PolicyStatement } from '../iam/documents';

/** The tag every AWS object of a tenant stack carries (provider default tags): tag conditions key on it. */
export const TENANT_TAG = 'tenantctl:tenant';

/**
 * The tag naming the tenant's database user on its workload role: the boundary lets the role
 * connect only as the user its own tag names (ids keep their hyphens, database users do not).
 */
export const TENANT_DB_USER_TAG = 'tenantctl:db-user';

/** ARN of the permissions boundary of tenant roles in one account (TenantBoundary). */
export function tenantBoundaryArn(platform: PlatformSpec, accountName: string): string {
  const names = platformNames(platform);
  return `arn:${names.partition}:iam::${accountIdOf(platform, accountName)}:policy/${names.tenantBoundaryPolicy}`;
}

/** The access policy a tenant's admin principal gets, scoped to the tenant's namespace (TenantAccess). */
export const TENANT_ADMIN_ACCESS_POLICY: EksAccessPolicy = 'AmazonEKSViewPolicy';

type Condition = Record<string, Record<string, string | string[]>>;

interface Scope {
  readonly resources: string[];
  readonly condition?: Condition;
}

interface ScopeContext {
  readonly tenant: TenantSpec;
  /** Only requests that keep the tenant boundary on the role (CreateRole, inline policy writes). */
  readonly bounded: Condition;
  /** An ARN in the role's account (and region, unless `region: false`, as IAM ARNs have none). */
  readonly arn: (service: string, resource: string, options?: { region?: boolean }) => string;
  readonly names: ReturnType<typeof platformNames>;
  /** ARNs of the roles the tenant's stack owns in the account: its workload role and one per catalog service. */
  readonly roles: string[];
  /** Objects carrying the tenant's tag. */
  readonly ownTag: Condition;
}

/**
 * The Terraform types a tenant's stack holds in one account, resources and data sources
 * (`data.<type>`), by what the tenant's configuration asks for: the cluster and proxy lookups,
 * the workload role and its policy always; the node role, EBS key, launch template and node group
 * for a tier with dedicated nodes; an access entry for a tenant admin principal; the tenant's user
 * pool and client (dedicated identity) or the lookup of the pooled one; in a service account,
 * the account role. A removed tenant keeps the permissions of what its stack held, so
 * the destroy can run. A test compares this with the synthesized stacks.
 */
export function tenantStackTypes(tenant: TenantSpec, roleAccount: string): string[] {
  if (roleAccount !== 'platform') return ['aws_iam_role'];
  const types = [
    'data.aws_eks_cluster',
    'data.aws_db_proxy',
    'data.aws_vpc_endpoint_service',
    'data.aws_vpc_endpoint',
    'data.aws_network_interface',
    'aws_iam_role',
    'aws_iam_role_policy',
  ];
  if (tenant.tierSpec.nodes.isolation === 'dedicated') types.push(...DEDICATED_NODE_TYPES);
  if (tenant.adminPrincipalArn) types.push('aws_eks_access_entry', 'aws_eks_access_policy_association');
  types.push(...ALERT_TYPES);
  types.push(...IDENTITY_TYPES[tenant.tierSpec.identity]);
  return types;
}

/** The types of each identity mode: the tenant's own user pool, or the pooled one's id. */
const IDENTITY_TYPES: Readonly<Record<IdentityMode, readonly string[]>> = {
  none: [],
  pooled: ['data.aws_ssm_parameter'],
  dedicated: ['aws_cognito_user_pool', 'aws_cognito_user_pool_client'],
};

/** The tenant's alerts topic and its policy (TenantAlertDelivery). */
const ALERT_TYPES = ['aws_sns_topic', 'aws_sns_topic_policy'];

/** The types of dedicated nodes, which a tier with them adds to the tenant's stack. */
const DEDICATED_NODE_TYPES = ['data.aws_iam_role', 'data.aws_kms_key', 'aws_launch_template', 'aws_eks_node_group', 'aws_autoscaling_group_tag'];

/**
 * Types the tenant's stack may have to destroy though its configuration no longer holds them: a
 * tenant moved to a tier without dedicated nodes keeps reading and deleting its own node group
 * and launch template (never creating or changing them), since the bootstrap stack that narrows
 * its run role applies before the tenant stack's destroy of them.
 */
export function tenantTeardownTypes(tenant: TenantSpec, roleAccount: string): string[] {
  if (roleAccount !== 'platform' || tenant.tierSpec.nodes.isolation === 'dedicated') return [];
  return DEDICATED_NODE_TYPES;
}

/** `arn:...:access-entry/<cluster>/<role|user>/<account>/<name>/*` of an IAM principal's access entry. */
function accessEntryPattern(c: ScopeContext, principalArn: string): string {
  const m = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  if (!m) throw new Error(`tenant ${c.tenant.id}: adminPrincipalArn ${principalArn} is not an IAM role or user ARN`);
  return c.arn('eks', `access-entry/${c.names.cluster}/${m[2]}/${m[1]}/${m[3]}/*`);
}

/** Where each action of a type may act, per type: the tenant's own objects, by name or by its tag. */
const SCOPES: Readonly<Record<string, (c: ScopeContext, action: string) => Scope[]>> = {
  'data.aws_eks_cluster': (c) => [{ resources: [c.arn('eks', `cluster/${c.names.cluster}`)] }],
  // A proxy's ARN holds its generated id, not its name: the lookup by name needs every proxy of the account.
  'data.aws_db_proxy': (c) => [{ resources: [c.arn('rds', 'db-proxy:*')] }],
  // EC2 Describe calls have no resource-level permissions.
  'data.aws_vpc_endpoint_service': () => [{ resources: ['*'] }],
  'data.aws_vpc_endpoint': () => [{ resources: ['*'] }],
  'data.aws_network_interface': () => [{ resources: ['*'] }],
  'data.aws_iam_role': (c) => [{ resources: [c.arn('iam', `role/${c.tenant.names.nodeRole}`, { region: false })] }],
  // The key is found by its alias: the request names it, so the condition narrows the lookup to it.
  'data.aws_kms_key': (c) => [{ resources: [c.arn('kms', 'key/*')], condition: { StringEquals: { 'kms:RequestAlias': c.names.kmsAlias('ebs') } } }],
  aws_iam_role: (c, action) => {
    const role = c.roles;
    // Without the boundary the pipeline could point the role's trust at itself and give it anything.
    if (action === 'iam:CreateRole' || action === 'iam:PutRolePermissionsBoundary') return [{ resources: role, condition: c.bounded }];
    // The boundary keys on these tags: the pipeline may set them only to its own tenant, and never remove them.
    if (action === 'iam:TagRole') {
      return [
        {
          resources: role,
          condition: {
            StringEqualsIfExists: { [`aws:RequestTag/${TENANT_TAG}`]: c.tenant.id, [`aws:RequestTag/${TENANT_DB_USER_TAG}`]: c.tenant.names.dbRole },
          },
        },
      ];
    }
    if (action === 'iam:UntagRole')
      return [{ resources: role, condition: { 'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': [TENANT_TAG, TENANT_DB_USER_TAG] } } }];
    return [{ resources: role }];
  },
  aws_iam_role_policy: (c, action) => {
    const role = c.roles;
    return action === 'iam:GetRolePolicy' ? [{ resources: role }] : [{ resources: role, condition: c.bounded }];
  },
  aws_launch_template: (c, action) => {
    const templates = [c.arn('ec2', 'launch-template/*')];
    const own = { StringEquals: { [`aws:ResourceTag/${TENANT_TAG}`]: c.tenant.id } };
    const created = { StringEquals: { [`aws:RequestTag/${TENANT_TAG}`]: c.tenant.id } };
    // Describe calls have no resource-level permissions.
    if (action.startsWith('ec2:Describe')) return [{ resources: ['*'] }];
    if (action === 'ec2:CreateLaunchTemplate') return [{ resources: templates, condition: created }];
    if (action === 'ec2:CreateTags') {
      // Tags on create, and later the tenant's own templates, never retagged for another tenant.
      return [
        {
          resources: templates,
          condition: { StringEquals: { 'ec2:CreateAction': 'CreateLaunchTemplate', [`aws:RequestTag/${TENANT_TAG}`]: c.tenant.id } },
        },
        { resources: templates, condition: { ...own, StringEqualsIfExists: { [`aws:RequestTag/${TENANT_TAG}`]: c.tenant.id } } },
      ];
    }
    return [{ resources: templates, condition: own }];
  },
  aws_eks_node_group: (c, action) => {
    const cluster = c.arn('eks', `cluster/${c.names.cluster}`);
    const nodeGroup = c.arn('eks', `nodegroup/${c.names.cluster}/${c.tenant.names.nodeGroup}/*`);
    // CreateNodegroup is authorized on the cluster: the tenant's tag on the request is what makes it its own.
    if (action === 'eks:CreateNodegroup')
      return [{ resources: [cluster], condition: { StringEquals: { [`aws:RequestTag/${TENANT_TAG}`]: c.tenant.id } } }];
    if (action === 'iam:PassRole') {
      return [
        {
          resources: [c.arn('iam', `role/${c.tenant.names.nodeRole}`, { region: false })],
          condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } },
        },
      ];
    }
    // DescribeUpdate requires the cluster and may name the node group.
    if (action === 'eks:DescribeUpdate') return [{ resources: [cluster, nodeGroup] }];
    return [{ resources: [nodeGroup] }];
  },
  aws_autoscaling_group_tag: (c, action) => {
    // Describe calls have no resource-level permissions.
    if (action === 'autoscaling:DescribeTags') return [{ resources: ['*'] }];
    // Cluster Autoscaler's node-template tags, only on the Auto Scaling group EKS made for the tenant's node group.
    return [
      {
        resources: [c.arn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
        condition: {
          StringEquals: { 'aws:ResourceTag/eks:cluster-name': c.names.cluster, 'aws:ResourceTag/eks:nodegroup-name': c.tenant.names.nodeGroup },
          'ForAllValues:StringLike': { 'aws:TagKeys': [`${NODE_TEMPLATE_TAG_PREFIX}*`] },
        },
      },
    ];
  },
  // Only the parameter with the pooled pool's id (the one SSM parameter a tenant stack reads).
  'data.aws_ssm_parameter': (c) => [{ resources: [c.arn('ssm', `parameter${c.names.pooledUserPoolIdParameter}`)] }],
  aws_cognito_user_pool: (c, action) => {
    const tag = `aws:RequestTag/${TENANT_TAG}`;
    // CreateUserPool names no pool: the tenant's tag on the request is what makes it its own.
    if (action === 'cognito-idp:CreateUserPool') return [{ resources: ['*'], condition: { StringEquals: { [tag]: c.tenant.id } } }];
    // Then only pools with its tag; tags (TagResource, and UpdateUserPool's own) never name another tenant.
    return [{ resources: [c.arn('cognito-idp', 'userpool/*')], condition: { ...c.ownTag, StringEqualsIfExists: { [tag]: c.tenant.id } } }];
  },
  // App client calls are authorized on their pool: the tenant's own, by its tag.
  aws_sns_topic: (c) => [{ resources: [c.arn('sns', c.tenant.names.alertsTopic)] }],
  aws_sns_topic_policy: (c) => [{ resources: [c.arn('sns', c.tenant.names.alertsTopic)] }],
  aws_cognito_user_pool_client: (c) => [{ resources: [c.arn('cognito-idp', 'userpool/*')], condition: c.ownTag }],
  aws_eks_access_entry: (c, action) => {
    const principal = c.tenant.adminPrincipalArn!;
    if (action === 'eks:CreateAccessEntry') {
      return [
        {
          resources: [c.arn('eks', `cluster/${c.names.cluster}`)],
          condition: {
            StringEquals: { 'eks:principalArn': principal, 'eks:accessEntryType': 'STANDARD' },
            'ForAllValues:StringEquals': { 'eks:kubernetesGroups': [c.tenant.names.adminGroup] },
          },
        },
      ];
    }
    return [{ resources: [accessEntryPattern(c, principal)] }];
  },
  aws_eks_access_policy_association: (c, action) => {
    const entry = [accessEntryPattern(c, c.tenant.adminPrincipalArn!)];
    if (action !== 'eks:AssociateAccessPolicy') return [{ resources: entry }];
    return [
      {
        resources: entry,
        condition: {
          StringEquals: {
            'eks:policyArn': eksAccessPolicyArn(c.names.partition, TENANT_ADMIN_ACCESS_POLICY),
            'eks:accessScope': 'namespace',
          },
          'ForAllValues:StringEquals': { 'eks:namespaces': [c.tenant.names.namespace] },
        },
      },
    ];
  },
};

/** What would lift the tenant boundary: removing it from a role, or changing the policy. */
const BOUNDARY_CHANGES = [
  'iam:DeleteRolePermissionsBoundary',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:DeletePolicy',
  'iam:TagPolicy',
  'iam:UntagPolicy',
];

/** Starting a role session, or tagging or naming one. */
const ROLE_SESSIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** `aws_eks_node_group` -> `EksNodeGroup`, `data.aws_kms_key` -> `ReadKmsKey`: statement ids. */
function sidOf(type: string): string {
  const data = type.startsWith('data.');
  const words = type
    .replace(/^data\./, '')
    .replace(/^aws_/, '')
    .split('_');
  return (data ? 'Read' : '') + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/**
 * The run role statements of a tenant's workspace in one account: for every type its stack holds
 * (tenantStackTypes), the actions AWS_TYPE_ACTIONS lists, each on the tenant's own objects.
 * Actions of one type that share a scope share a statement.
 */
export function tenantRunStatements(platform: PlatformSpec, tenant: TenantSpec, roleAccount: string): PolicyStatement[] {
  const names = platformNames(platform);
  const account = accountIdOf(platform, roleAccount);
  const boundary = tenantBoundaryArn(platform, roleAccount);
  const arn: ScopeContext['arn'] = (service, resource, options = {}) =>
    `arn:${names.partition}:${service}:${options.region === false ? '' : platform.aws.region}:${account}:${resource}`;
  // Service roles live beside the workload role, in the platform account (the cluster's IRSA).
  const services = roleAccount === 'platform' ? tenantServices(platform, tenant).map((s) => s.roleName) : [];
  const context: ScopeContext = {
    tenant,
    bounded: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    names,
    arn,
    roles: [tenant.names.iamRole, ...services].map((name) => arn('iam', `role/${name}`, { region: false })),
    ownTag: { StringEquals: { [`aws:ResourceTag/${TENANT_TAG}`]: tenant.id } },
  };
  const statements: PolicyStatement[] = [];
  // Calls with no resource-level permission (Describe*) share one statement across types: the
  // policy stays small with every tier's types.
  const unscoped: string[] = [];
  const teardown = tenantTeardownTypes(tenant, roleAccount);
  for (const type of [...tenantStackTypes(tenant, roleAccount), ...teardown]) {
    const scoper = SCOPES[type];
    if (!scoper) throw new Error(`no resource scope is defined for ${type} in tenant run permissions`);
    const grouped = new Map<string, { scope: Scope; actions: string[] }>();
    for (const action of teardown.includes(type) ? teardownActionsOf(type) : actionsOf(type)) {
      for (const scope of scoper(context, action)) {
        if (!scope.condition && scope.resources.length === 1 && scope.resources[0] === '*') {
          unscoped.push(action);
          continue;
        }
        const key = JSON.stringify(scope);
        const entry = grouped.get(key) ?? { scope, actions: [] };
        entry.actions.push(action);
        grouped.set(key, entry);
      }
    }
    [...grouped.values()].forEach(({ scope, actions }, i) => {
      statements.push({
        Sid: `${sidOf(type)}${i === 0 ? '' : i + 1}`,
        Effect: 'Allow',
        Action: actions,
        Resource: scope.resources,
        ...(scope.condition ? { Condition: scope.condition } : {}),
      });
    });
  }
  if (unscoped.length)
    statements.push({ Sid: 'DescribeWithoutResourceLevel', Effect: 'Allow', Action: [...new Set(unscoped)].sort(), Resource: ['*'] });
  // Explicit, so no later grant can lift the boundary off a role or rewrite the boundary itself.
  statements.push({
    Sid: 'KeepTenantBoundary',
    Effect: 'Deny',
    Action: BOUNDARY_CHANGES,
    Resource: [context.arn('iam', 'role/*', { region: false }), boundary],
  });
  // The boundary keys on the workload role's tags, and session tags override them: a pipeline that
  // pointed its role's trust at itself could assume it tagged as another tenant. Its Terraform
  // needs no session of its own (Terraform Cloud assumes the run roles), so it may start none.
  statements.push({ Sid: 'NoRoleSessions', Effect: 'Deny', Action: ROLE_SESSIONS, Resource: ['*'] });
  return statements;
}
