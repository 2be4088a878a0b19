import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { TENANT_PLACEHOLDER } from '../../../src/model/service-catalog';
import { accountIdOf } from '../../../src/model/workspaces';
import { TENANT_DB_USER_TAG, TENANT_TAG } from './tenant-run-permissions';
import { policyDocument, type PolicyStatement } from '../iam/documents';

export interface TenantBoundaryProps {
  readonly platform: PlatformSpec;
  /** `platform` or a service account name. */
  readonly accountName: string;
}

/** IAM's policy variable for a tag of the calling role; `$$` keeps Terraform from reading it as an interpolation. */
const principalTag = (key: string) => `$\${aws:PrincipalTag/${key}}`;

/**
 * Services that would let a tenant role out of its tagged objects: IAM (roles, policies), STS
 * (roles that trust the account, with session tags that satisfy tag conditions), Organizations
 * and the account itself.
 */
const NEVER_FOR_TENANTS = ['iam:*', 'sts:*', 'organizations:*', 'account:*'];

/** Every SSM call that changes a parameter, its value, versions' labels or tags. */
export const SSM_PARAMETER_WRITES = [
  'ssm:PutParameter',
  'ssm:DeleteParameter',
  'ssm:DeleteParameters',
  'ssm:LabelParameterVersion',
  'ssm:UnlabelParameterVersion',
  'ssm:AddTagsToResource',
  'ssm:RemoveTagsFromResource',
];

/**
 * The most a tenant role may ever do in one account, whatever inline policy its pipeline gives
 * it. The same document for every tenant, keyed on the role's own tags (which the tenant run
 * role may set only to its tenant): in the platform account, connect as the tenant's own
 * database user, chain into the tenant's own account role, and what the service catalog grants
 * its services on the tenant's own objects ({tenant} is the role's tenant tag); in a service account (the tenant
 * account role, which the tenant's team grants access to what it builds), act only on objects
 * the team built with the tenant's `tenantctl:tenant` tag, and never through IAM or STS.
 */
export function tenantPolicyStatements(platform: PlatformSpec, accountName: string): PolicyStatement[] {
  const names = platformNames(platform);
  const { partition } = names;
  const tenant = principalTag(TENANT_TAG);
  if (accountName === 'platform') {
    const connect: PolicyStatement = {
      Sid: 'ConnectAsOwnDbUser',
      Effect: 'Allow',
      Action: ['rds-db:connect'],
      Resource: [`arn:${partition}:rds-db:${platform.aws.region}:${platform.aws.accountId}:dbuser:*/${principalTag(TENANT_DB_USER_TAG)}`],
    };
    // The catalog services' rights, on the objects of the role's own tenant only.
    const catalog: PolicyStatement[] = platform.services.flatMap((service) =>
      service.iam.map((st, i) => ({
        Sid: `Catalog${service.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}${i}`,
        Effect: 'Allow' as const,
        Action: [...st.actions],
        Resource: st.resources.map((r) => r.split(TENANT_PLACEHOLDER).join(tenant)),
      })),
    );
    // The pooled user pool's id, which pooled tenants' gateways trust: whatever a catalog grants, never a tenant's to change.
    const pooledPoolId: PolicyStatement = {
      Sid: 'NeverThePooledUserPoolId',
      Effect: 'Deny',
      Action: SSM_PARAMETER_WRITES,
      Resource: [`arn:${partition}:ssm:${platform.aws.region}:${platform.aws.accountId}:parameter${names.pooledUserPoolIdParameter}`],
    };
    const serviceAccounts = platform.aws.serviceAccounts.map((a) => a.accountId);
    if (!serviceAccounts.length) return [connect, ...catalog, pooledPoolId];
    // The account role is named after the tenant id, which the role's tenant tag holds.
    const chain: PolicyStatement = {
      Sid: 'ChainIntoOwnAccountRole',
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Resource: serviceAccounts.map((id) => `arn:${partition}:iam::${id}:role/${names.tenantRole(tenant)}`),
    };
    return [connect, chain, ...catalog, pooledPoolId];
  }
  // Existing objects only: a request-tag grant to create would also let the role adopt any untagged object by tagging it.
  return [
    {
      Sid: 'OwnTaggedObjects',
      Effect: 'Allow',
      NotAction: NEVER_FOR_TENANTS,
      Resource: ['*'],
      Condition: { StringEquals: { [`aws:ResourceTag/${TENANT_TAG}`]: tenant } },
    },
  ];
}

/**
 * The tenant roles' permissions boundary in one account (`<prefix>-tenant-boundary`). It lives in
 * the account's bootstrap stack, which applies before the platform and tenant stacks and whose
 * run role alone may change it; tenant run roles may create and write their role only with it.
 */
export class TenantBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: TenantBoundaryProps) {
    super(scope, id);
    const { platform, accountName } = props;
    const names = platformNames(platform);
    this.policy = new IamPolicy(this, 'policy', {
      name: names.tenantBoundaryPolicy,
      description: `Permissions boundary of every tenant role in account ${accountIdOf(platform, accountName)}`,
      policy: policyDocument(tenantPolicyStatements(platform, accountName)),
    });
  }
}
