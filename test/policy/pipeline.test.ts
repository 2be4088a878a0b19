import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TenantConfig } from '../../src/model/tenant-schema';
import { configOf, loadStacks, runRules } from '../../src/policy/engine';
import { pipelineRules } from '../../src/policy/rules';
import { noWildcardActions } from '../../src/policy/rules/platform-security';
import type { StackDocument } from '../../src/policy/types';
import { buildApp } from '../../src/synth/app';
import { policyJson, triples } from './fixtures';
import { PLATFORM_ACCOUNT, tfcProject } from './tfc-project';

const TENANTS = [
  { id: 'acme', tier: 'enterprise', adminPrincipalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-admins` },
  { id: 'globex', tier: 'starter', serviceAccount: 'payments' },
  { id: 'initech', tier: 'standard' },
] as Omit<TenantConfig, 'version'>[];
const project = tfcProject(TENANTS);

/** The real synthesized project, read as `tenantctl validate --from` reads it; each test gets a fresh copy. */
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-pipeline-'));
buildApp(project, { outdir }).synth();
const synthesized = loadStacks(outdir);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const fresh = (): StackDocument[] => synthesized.map((s) => ({ ...s, json: JSON.parse(JSON.stringify(s.json)) }));
const stackOf = (stacks: StackDocument[], name: string): any => stacks.find((s) => s.name === name)!.json;
const findings = (stacks: StackDocument[], withProject = true) =>
  runRules({ stacks, ...(withProject ? { project, config: configOf(project) } : {}) }, pipelineRules);

/** The inline policy resource of a tenant's run role in the platform account's bootstrap. */
function runRolePolicy(stacks: StackDocument[], tenant: string): { address: string; body: any } {
  const json = stackOf(stacks, 'bootstrap-platform');
  const roleId = Object.entries(json.resource.aws_iam_role).find(([, r]: [string, any]) => r.name === `acme-prod-tfc-tenant-${tenant}`)![0];
  const [id, body] = Object.entries(json.resource.aws_iam_role_policy).find(([, p]: [string, any]) => p.role === `\${aws_iam_role.${roleId}.name}`)!;
  return { address: `aws_iam_role_policy.${id}`, body };
}
const editStatements = (stacks: StackDocument[], tenant: string, edit: (statements: any[]) => any[]) => {
  const { body } = runRolePolicy(stacks, tenant);
  body.policy = JSON.stringify({ Version: '2012-10-17', Statement: edit(JSON.parse(body.policy).Statement) });
};
const grant = (stacks: StackDocument[], tenant: string, statement: object) =>
  editStatements(stacks, tenant, (s) => [...s, { Effect: 'Allow', ...statement }]);

test('GIVEN the synthesized Terraform Cloud project THEN no pipeline rule fires', () => {
  expect(findings(fresh())).toEqual([]);
  expect(findings(fresh(), false)).toEqual([]);
});

describe('TC-PIP-001: a tenant run role can change its own tenant and nothing else', () => {
  const eks = (resource: string) => `arn:aws:eks:eu-west-1:${PLATFORM_ACCOUNT}:${resource}`;
  const ownRole = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-acme`;
  const cases: [string, object][] = [
    [
      'access entries of every principal (the earlier access-entry/<cluster>/*)',
      {
        Sid: 'Wide',
        Action: ['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'],
        Resource: [eks('cluster/acme-prod'), eks('access-entry/acme-prod/*')],
      },
    ],
    [
      'every launch template of the account',
      {
        Sid: 'Wide',
        Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
        Resource: [`arn:aws:ec2:eu-west-1:${PLATFORM_ACCOUNT}:launch-template/*`],
      },
    ],
    [
      'inline policies on the shared proxy role',
      { Sid: 'Wide', Action: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-rds-proxy`] },
    ],
    [
      'a shared deployer role to assume',
      { Sid: 'Wide', Action: ['sts:AssumeRole'], Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-deployer`] },
    ],
    [
      "another tenant's IAM role",
      { Sid: 'Wide', Action: ['iam:UpdateAssumeRolePolicy'], Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-initech`] },
    ],
    [
      'a role prefix that covers other tenants',
      { Sid: 'Wide', Action: ['iam:PutRolePolicy'], Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-acme*`] },
    ],
    [
      "another tenant's tag",
      {
        Sid: 'Wide',
        Action: ['ec2:DeleteLaunchTemplate'],
        Resource: [`arn:aws:ec2:eu-west-1:${PLATFORM_ACCOUNT}:launch-template/*`],
        Condition: { StringEquals: { 'aws:ResourceTag/tenantctl:tenant': 'initech' } },
      },
    ],
    [
      'an access entry for a principal that is not its admin',
      {
        Sid: 'Wide',
        Action: ['eks:CreateAccessEntry'],
        Resource: [eks('cluster/acme-prod')],
        Condition: { StringEquals: { 'eks:principalArn': `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-cluster` } },
      },
    ],
    [
      'the node role passed to any service',
      { Sid: 'Wide', Action: ['iam:PassRole'], Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-eks-node`] },
    ],
    [
      "the system pool's node role passed to EKS (its nodes could claim the system pool)",
      {
        Sid: 'Wide',
        Action: ['iam:PassRole'],
        Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-eks-node`],
        Condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } },
      },
    ],
    [
      'inline policies on its own role without the permissions boundary condition',
      { Sid: 'Wide', Action: ['iam:PutRolePolicy'], Resource: [ownRole] },
    ],
    [
      'its own role created under another boundary',
      {
        Sid: 'Wide',
        Action: ['iam:CreateRole'],
        Resource: [ownRole],
        Condition: { StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${PLATFORM_ACCOUNT}:policy/acme-prod-tenant-acme-open` } },
      },
    ],
    ['the permissions boundary removed from its own role', { Sid: 'Wide', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: [ownRole] }],
    [
      'a new version of the boundary policy',
      {
        Sid: 'Wide',
        Action: ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:policy/acme-prod-tenant-boundary`],
      },
    ],
  ];

  test.each(cases)('fires when the run role gets %s', (_what, statement) => {
    const stacks = fresh();
    grant(stacks, 'acme', statement);
    const found = findings(stacks);
    expect(triples(found)).toEqual([['TC-PIP-001', 'bootstrap-platform', runRolePolicy(stacks, 'acme').address]]);
    expect(found[0].message).toContain('statement Wide');
    expect(found[0].severity).toBe('error');
  });

  test('says why a role write without the boundary is an escalation', () => {
    const stacks = fresh();
    grant(stacks, 'acme', { Sid: 'Wide', Action: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'], Resource: [ownRole] });
    expect(findings(stacks, false).map((f) => f.message)).toEqual([
      'run role acme-prod-tfc-tenant-acme, statement Wide: allows iam:PutRolePolicy, iam:AttachRolePolicy without the condition ' +
        "iam:PermissionsBoundary = the acme-prod-tenant-boundary policy: the pipeline could give its role anything, point the role's trust " +
        'at itself and assume it',
    ]);
  });

  test('role writes on its own role with the tenant boundary as condition are fine', () => {
    const stacks = fresh();
    grant(stacks, 'acme', {
      Sid: 'Bounded',
      Action: ['iam:AttachRolePolicy'],
      Resource: [ownRole],
      Condition: { ArnEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${PLATFORM_ACCOUNT}:policy/acme-prod-tenant-boundary` } },
    });
    expect(findings(stacks)).toEqual([]);
  });

  test('reads of shared objects are fine: they change nothing', () => {
    const stacks = fresh();
    grant(stacks, 'acme', { Sid: 'Reads', Action: ['ec2:DescribeSecurityGroups', 'iam:GetRole'], Resource: ['*'] });
    expect(findings(stacks)).toEqual([]);
  });
});

describe('TC-PIP-002: a tenant run role may read and manage every AWS object of its stack', () => {
  test('fires for a data source its run role cannot read (the OIDC provider looked up by URL)', () => {
    const stacks = fresh();
    stackOf(stacks, 'tenant-initech').data.aws_iam_openid_connect_provider = { oidc: { url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X' } };
    const found = findings(stacks);
    expect(triples(found)).toEqual([['TC-PIP-002', 'tenant-initech', 'data.aws_iam_openid_connect_provider.oidc']]);
    expect(found[0].message).toMatch(/no entry in the IAM action table/);
  });

  test('fires when the run role lacks an action a type needs', () => {
    const stacks = fresh();
    editStatements(stacks, 'initech', (s) => s.filter((x) => !x.Action.includes('rds:DescribeDBProxies')));
    const found = findings(stacks);
    expect(triples(found)).toEqual([['TC-PIP-002', 'tenant-initech', 'data.aws_db_proxy.db-proxy']]);
    expect(found[0].message).toBe('run role acme-prod-tfc-tenant-initech lacks rds:DescribeDBProxies, which data.aws_db_proxy needs');
  });

  test('fires for a tenant role its run role may not create: without the tenant boundary', () => {
    const stacks = fresh();
    const roles = stackOf(stacks, 'tenant-initech').resource.aws_iam_role;
    const [id, role] = Object.entries(roles)[0] as [string, any];
    delete role.permissions_boundary;
    const found = findings(stacks);
    expect(triples(found)).toEqual([['TC-PIP-002', 'tenant-initech', `aws_iam_role.${id}`]]);
    expect(found[0].message).toBe(
      `its permissions_boundary is unset: run role acme-prod-tfc-tenant-initech may create it only with ` +
        `arn:aws:iam::${PLATFORM_ACCOUNT}:policy/acme-prod-tenant-boundary`,
    );
  });

  test("checks a service-account tenant's own-account objects against its run role there", () => {
    const stacks = fresh();
    const json = stackOf(stacks, 'bootstrap-payments');
    const [id, policy] = Object.entries(json.resource.aws_iam_role_policy).find(([, p]: [string, any]) =>
      p.policy.includes('acme-prod-tenant-globex'),
    )! as [string, any];
    policy.policy = policyJson([{ Effect: 'Allow', Action: ['iam:GetRole'], Resource: ['arn:aws:iam::222233334444:role/acme-prod-tenant-globex'] }]);
    const found = findings(stacks).filter((f) => f.ruleId === 'TC-PIP-002');
    expect(found.map((f) => [f.stack, f.address.split('.')[0]])).toEqual([['tenant-globex', 'aws_iam_role']]);
    expect(found[0].message).toContain('iam:CreateRole');
    expect(id).toBeDefined();
  });
});

describe('TC-PIP-003: no shared object grows per tenant beyond its limit at the planned tenant count', () => {
  /** The earlier per-tenant grant on the proxy role, about 230 characters each. */
  const addProxyGrant = (stacks: StackDocument[], tenant: string) => {
    stackOf(stacks, `tenant-${tenant}`).resource.aws_iam_role_policy['identity_proxy-db-connect_55667788'] = {
      name: `tenant-${tenant}-db-connect`,
      role: 'acme-prod-rds-proxy',
      policy: policyJson([
        {
          Sid: 'ProxyConnectsAsTenantDbUser',
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: `arn:aws:rds-db:eu-west-1:${PLATFORM_ACCOUNT}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXYZ/tenant_${tenant}`,
        },
      ]),
    };
  };

  test('fires for inline policies that tenant stacks add to a platform role, projected to the planned 500 tenants', () => {
    const stacks = fresh();
    for (const t of ['acme', 'initech']) addProxyGrant(stacks, t);
    const found = findings(stacks).filter((f) => f.ruleId === 'TC-PIP-003');
    expect(triples(found)).toEqual([
      ['TC-PIP-003', 'tenant-acme', 'aws_iam_role_policy.identity_proxy-db-connect_55667788'],
      ['TC-PIP-003', 'tenant-initech', 'aws_iam_role_policy.identity_proxy-db-connect_55667788'],
    ]);
    expect(found[0].severity).toBe('error');
    expect(found[0].message).toMatch(
      /inline policies of role acme-prod-rds-proxy \(\d+ characters from 2 tenant\(s\)\): \d+ characters at 500 planned tenants, over the limit of 10240/,
    );
  });

  test('warns about growth that still fits the limit at the planned count', () => {
    const stacks = fresh();
    addProxyGrant(stacks, 'acme');
    const found = findings(stacks, false).filter((f) => f.ruleId === 'TC-PIP-003');
    expect(found.map((f) => [f.severity, f.stack])).toEqual([['warning', 'tenant-acme']]);
    expect(found[0].message).toMatch(/at 3 planned tenants, against the limit of 10240/);
  });

  test('fires for rules that tenant stacks add to a platform security group', () => {
    const stacks = fresh();
    for (const t of ['acme', 'globex', 'initech']) {
      stackOf(stacks, `tenant-${t}`).resource.aws_vpc_security_group_ingress_rule = {
        partner: { security_group_id: 'sg-0123456789abcdef0', ip_protocol: 'tcp', from_port: 5432, to_port: 5432, cidr_ipv4: '10.9.0.0/24' },
      };
    }
    const found = findings(stacks).filter((f) => f.ruleId === 'TC-PIP-003');
    expect(found).toHaveLength(3);
    expect(found[0].message).toContain(
      'inbound rules of security group sg-0123456789abcdef0 (3 rules from 3 tenant(s)): 500 rules at 500 planned tenants, over the limit of 60',
    );
  });
});

describe('TC-PLT-026 on the tenant permissions boundary: a ceiling may use NotAction only to keep IAM out, under a condition', () => {
  const boundary = (stacks: StackDocument[]) => Object.values(stackOf(stacks, 'bootstrap-payments').resource.aws_iam_policy)[0] as any;
  const edit = (stacks: StackDocument[], change: (statement: any) => void) => {
    const policy = boundary(stacks);
    const doc = JSON.parse(policy.policy);
    doc.Statement.forEach(change);
    policy.policy = JSON.stringify(doc);
  };
  const wildcardFindings = (stacks: StackDocument[]) => runRules({ stacks, project, config: configOf(project) }, [noWildcardActions]);

  test('GIVEN the synthesized boundaries THEN nothing fires', () => {
    expect(wildcardFindings(fresh())).toEqual([]);
  });

  test.each([
    ['lets IAM in', (s: any) => (s.NotAction = ['organizations:*', 'account:*'])],
    ['drops its tag condition', (s: any) => delete s.Condition],
  ])('GIVEN a boundary that %s THEN it fires', (_what, change) => {
    const stacks = fresh();
    edit(stacks, change);
    const found = wildcardFindings(stacks);
    expect(found.map((f) => [f.ruleId, f.stack, f.message])).toEqual([['TC-PLT-026', 'bootstrap-payments', 'policy allows with NotAction']]);
  });
});
