import { Testing } from 'cdktf';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type Project } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec, SynthJson } from '../util';

const PLATFORM_ACCOUNT = '111122223333';
const PAYMENTS_ACCOUNT = '222233334444';
const aws = {
  region: 'eu-west-1',
  accountId: PLATFORM_ACCOUNT,
  serviceAccounts: [{ name: 'payments', accountId: PAYMENTS_ACCOUNT, purpose: 'Payments' }],
};
const tiers = resolveTiers();

function projectOf(overrides: Partial<PlatformConfig>, tenants: Omit<TenantConfig, 'version'>[]): Project {
  const platform = platformSpec(overrides);
  return {
    dir: '/nonexistent',
    platform,
    tiers,
    tenants: tenants.map((t) => resolveTenant(tenantSchema.parse({ version: 1, ...t }), platform, tiers, `${t.id}.json`)),
  };
}

const TENANTS = [
  { id: 'alpha', tier: 'enterprise' },
  { id: 'delta-one', tier: 'starter', serviceAccount: 'payments' },
] as Omit<TenantConfig, 'version'>[];
const tfc = { aws, terraformCloud: { organization: 'acme-corp' } } as Partial<PlatformConfig>;
const project = projectOf(tfc, TENANTS);
const synthBootstrap = (p: Project, accountName: string) =>
  SynthJson.parse(Testing.synth(new BootstrapStack(Testing.app(), { project: p, accountName })));
const boundaryOf = (json: SynthJson) => json.one('aws_iam_policy');

describe('GIVEN a Terraform Cloud project with a service account', () => {
  const platformBootstrap = synthBootstrap(project, 'platform');
  const paymentsBootstrap = synthBootstrap(project, 'payments');

  test(
    'THEN the platform bootstrap holds the tenant boundary: connect as the database user its role tag names, chain into its own ' + 'account role',
    () => {
      const policy = boundaryOf(platformBootstrap);
      expect(policy.name).toBe('acme-prod-tenant-boundary');
      // `$$` is Terraform's escape: IAM receives the policy variable `${aws:PrincipalTag/...}`.
      expect(JSON.parse(policy.policy)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ConnectAsOwnDbUser',
            Effect: 'Allow',
            Action: ['rds-db:connect'],
            Resource: [`arn:aws:rds-db:eu-west-1:${PLATFORM_ACCOUNT}:dbuser:*/$\${aws:PrincipalTag/tenantctl:db-user}`],
          },
          {
            Sid: 'ChainIntoOwnAccountRole',
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tenant-$\${aws:PrincipalTag/tenantctl:tenant}`],
          },
          {
            Sid: 'NeverThePooledUserPoolId',
            Effect: 'Deny',
            Action: [
              'ssm:PutParameter',
              'ssm:DeleteParameter',
              'ssm:DeleteParameters',
              'ssm:LabelParameterVersion',
              'ssm:UnlabelParameterVersion',
              'ssm:AddTagsToResource',
              'ssm:RemoveTagsFromResource',
            ],
            Resource: [`arn:aws:ssm:eu-west-1:${PLATFORM_ACCOUNT}:parameter/acme-prod/identity/pooled-user-pool-id`],
          },
        ],
      });
    },
  );

  test("THEN a service account's bootstrap holds its tenant boundary: only existing objects tagged with the role's tenant, never IAM or STS", () => {
    const policy = boundaryOf(paymentsBootstrap);
    expect(policy.name).toBe('acme-prod-tenant-boundary');
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'OwnTaggedObjects',
        Effect: 'Allow',
        NotAction: ['iam:*', 'sts:*', 'organizations:*', 'account:*'],
        Resource: ['*'],
        Condition: { StringEquals: { 'aws:ResourceTag/tenantctl:tenant': '$${aws:PrincipalTag/tenantctl:tenant}' } },
      },
    ]);
  });

  test('THEN the boundary is the same for any tenant set, none included', () => {
    const empty = projectOf(tfc, []);
    expect(boundaryOf(synthBootstrap(empty, 'platform'))).toEqual(boundaryOf(platformBootstrap));
    expect(boundaryOf(synthBootstrap(empty, 'payments'))).toEqual(boundaryOf(paymentsBootstrap));
  });

  test.each([
    ['platform', PLATFORM_ACCOUNT],
    ['payments', PAYMENTS_ACCOUNT],
  ])('THEN only the %s bootstrap run role may manage the boundary, by name', (account, accountId) => {
    const json = account === 'platform' ? platformBootstrap : paymentsBootstrap;
    const bootstrapRole = json.idOf('aws_iam_role', (r) => r.name === `acme-prod-tfc-bootstrap-${account}`);
    const own = json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${bootstrapRole}.name}`);
    expect(JSON.parse(own[0].policy).Statement.find((s: any) => s.Sid === 'TenantBoundaryPolicy')).toEqual({
      Sid: 'TenantBoundaryPolicy',
      Effect: 'Allow',
      Action: [
        'iam:CreatePolicy',
        'iam:DeletePolicy',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:ListPolicyVersions',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: [`arn:aws:iam::${accountId}:policy/acme-prod-tenant-boundary`],
    });
    // Every other run role of the account is denied changes of the boundary, or has no IAM policy actions at all.
    for (const p of json.where('aws_iam_role_policy', (x) => x.role !== `\${aws_iam_role.${bootstrapRole}.name}`)) {
      const statements = JSON.parse(p.policy).Statement as any[];
      const allowsPolicyWrites = statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          s.Action.some((a: string) => /^iam:(CreatePolicyVersion|DeletePolicy)/.test(a)) &&
          s.Resource.some((r: string) => r.includes(':policy/acme-prod-tenant-boundary')),
      );
      expect(allowsPolicyWrites).toBe(false);
    }
  });
});

test('GIVEN no Terraform Cloud THEN tenant roles carry no boundary (no bootstrap stack creates it, no tenant pipeline writes them)', () => {
  const plain = projectOf({ aws } as Partial<PlatformConfig>, TENANTS);
  const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: plain.platform, tenant: plain.tenants[1] })));
  const roles = Object.values(json.resources('aws_iam_role'));
  expect(roles).toHaveLength(2);
  for (const role of roles) expect(role.permissions_boundary).toBeUndefined();
});
