/**
 * The IAM actions Terraform's AWS provider (6.x) calls to create, read, update and delete each
 * resource type, and to read each data source (`data.<type>`), from the provider's documented API
 * calls. Only the types tenant stacks use are listed: the run role of a tenant is built from this
 * table (stacks/constructs/tfc/tenant-run-permissions.ts), `tenantctl validate` checks every
 * tenant stack against it (TC-PIP-002), and a test fails when a tenant stack uses a type that is
 * missing here, so a new resource or data source cannot ship without its permission.
 */
export interface TypeActions {
  readonly create: readonly string[];
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
}

const readOnly = (...read: string[]): TypeActions => ({ create: [], read, update: [], delete: [] });

export const AWS_TYPE_ACTIONS: Readonly<Record<string, TypeActions>> = {
  'data.aws_eks_cluster': readOnly('eks:DescribeCluster'),
  'data.aws_db_proxy': readOnly('rds:DescribeDBProxies'),
  'data.aws_iam_role': readOnly('iam:GetRole'),
  'data.aws_kms_key': readOnly('kms:DescribeKey'),
  // The STS interface endpoint's addresses (StsEndpointAddresses), for the IRSA egress rule.
  'data.aws_vpc_endpoint_service': readOnly('ec2:DescribeVpcEndpointServices'),
  'data.aws_vpc_endpoint': readOnly('ec2:DescribeVpcEndpoints'),
  'data.aws_network_interface': readOnly('ec2:DescribeNetworkInterfaces'),
  aws_iam_role: {
    // Tags go in CreateRole's request, which IAM authorizes as TagRole too.
    create: ['iam:CreateRole', 'iam:TagRole'],
    // The provider reads the role, its tags, and its inline and managed policies (to report drift).
    read: ['iam:GetRole', 'iam:ListRoleTags', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
    // A role created before its permissions boundary gets it on the next apply.
    update: [
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:TagRole',
      'iam:UntagRole',
    ],
    // A role in an instance profile cannot be deleted: the provider looks first.
    delete: ['iam:ListInstanceProfilesForRole', 'iam:DeleteRole'],
  },
  aws_iam_role_policy: {
    create: ['iam:PutRolePolicy'],
    read: ['iam:GetRolePolicy'],
    update: ['iam:PutRolePolicy'],
    delete: ['iam:DeleteRolePolicy'],
  },
  aws_launch_template: {
    // Tags on create need ec2:CreateTags with ec2:CreateAction = CreateLaunchTemplate.
    create: ['ec2:CreateLaunchTemplate', 'ec2:CreateTags'],
    read: ['ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions'],
    // A change is a new version, made the default (update_default_version).
    update: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteLaunchTemplate'],
  },
  aws_eks_node_group: {
    // EKS needs to pass the node role to the instances it launches.
    create: ['eks:CreateNodegroup', 'eks:TagResource', 'iam:PassRole'],
    read: ['eks:DescribeNodegroup'],
    update: ['eks:UpdateNodegroupConfig', 'eks:UpdateNodegroupVersion', 'eks:DescribeUpdate', 'eks:TagResource', 'eks:UntagResource'],
    delete: ['eks:DeleteNodegroup'],
  },
  aws_autoscaling_group_tag: {
    create: ['autoscaling:CreateOrUpdateTags'],
    read: ['autoscaling:DescribeTags'],
    update: ['autoscaling:CreateOrUpdateTags'],
    delete: ['autoscaling:DeleteTags'],
  },
  aws_eks_access_entry: {
    create: ['eks:CreateAccessEntry', 'eks:TagResource'],
    read: ['eks:DescribeAccessEntry'],
    update: ['eks:UpdateAccessEntry', 'eks:TagResource', 'eks:UntagResource'],
    delete: ['eks:DeleteAccessEntry'],
  },
  aws_eks_access_policy_association: {
    create: ['eks:AssociateAccessPolicy'],
    read: ['eks:ListAssociatedAccessPolicies'],
    update: [],
    delete: ['eks:DisassociateAccessPolicy'],
  },
  // The pooled user pool's id, which the platform stack publishes (TenantEdgeIdentity).
  'data.aws_ssm_parameter': readOnly('ssm:GetParameter'),
  aws_cognito_user_pool: {
    // Tags go in CreateUserPool's request; MFA and the software token are set by a call of their own after it.
    create: ['cognito-idp:CreateUserPool', 'cognito-idp:SetUserPoolMfaConfig'],
    read: ['cognito-idp:DescribeUserPool', 'cognito-idp:GetUserPoolMfaConfig'],
    update: [
      'cognito-idp:UpdateUserPool',
      'cognito-idp:SetUserPoolMfaConfig',
      'cognito-idp:AddCustomAttributes',
      'cognito-idp:TagResource',
      'cognito-idp:UntagResource',
    ],
    delete: ['cognito-idp:DeleteUserPool'],
  },
  aws_cognito_user_pool_client: {
    create: ['cognito-idp:CreateUserPoolClient'],
    read: ['cognito-idp:DescribeUserPoolClient'],
    update: ['cognito-idp:UpdateUserPoolClient'],
    delete: ['cognito-idp:DeleteUserPoolClient'],
  },
  // The tenant's alerts topic (TenantAlertDelivery). The provider reads every attribute, its tags and its data protection policy.
  aws_sns_topic: {
    // Tags and attributes go in CreateTopic's request, which SNS authorizes as TagResource too.
    create: ['sns:CreateTopic', 'sns:TagResource', 'sns:SetTopicAttributes'],
    read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:GetDataProtectionPolicy'],
    update: ['sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
    delete: ['sns:DeleteTopic'],
  },
  // Deleting the resource puts the default topic policy back.
  aws_sns_topic_policy: {
    create: ['sns:SetTopicAttributes'],
    read: ['sns:GetTopicAttributes'],
    update: ['sns:SetTopicAttributes'],
    delete: ['sns:SetTopicAttributes'],
  },
};

/** Every action a type needs over its life cycle; throws for a type the table does not know. */
/** The actions that read and delete objects of a type: what a destroy of them needs. */
export function teardownActionsOf(type: string): string[] {
  const entry = AWS_TYPE_ACTIONS[type];
  if (!entry) throw new Error(`no IAM actions are known for ${type}: add it to AWS_TYPE_ACTIONS (src/model/aws-actions.ts)`);
  return [...new Set([...entry.read, ...entry.delete])].sort();
}

export function actionsOf(type: string): string[] {
  const entry = AWS_TYPE_ACTIONS[type];
  if (!entry) throw new Error(`no IAM actions are known for ${type}: add it to AWS_TYPE_ACTIONS (src/model/aws-actions.ts)`);
  return [...new Set([...entry.create, ...entry.read, ...entry.update, ...entry.delete])].sort();
}
