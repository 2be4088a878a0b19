import { Testing } from 'cdktf';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type Project, type TenantSpec } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { stackNames } from '../../src/synth/app';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { RemovedTenantStack } from '../../stacks/removed-tenant-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { WorkspacesStack } from '../../stacks/workspaces-stack';
import { platformSpec, SynthJson } from '../util';

const PLATFORM_ACCOUNT = '111122223333';
const PAYMENTS_ACCOUNT = '222233334444';
const ANALYTICS_ACCOUNT = '333344445555';
const HOST = 'app.terraform.io';

const tfcPlatform: Partial<PlatformConfig> = {
  aws: {
    region: 'eu-west-1',
    accountId: PLATFORM_ACCOUNT,
    serviceAccounts: [
      { name: 'payments', accountId: PAYMENTS_ACCOUNT, purpose: 'Payment services' },
      { name: 'analytics', accountId: ANALYTICS_ACCOUNT, purpose: 'Analytics' },
    ],
  },
  terraformCloud: { organization: 'acme-corp' },
} as Partial<PlatformConfig>;

const TENANTS: Omit<TenantConfig, 'version'>[] = [
  { id: 'alpha', tier: 'enterprise' },
  { id: 'beta', tier: 'standard', serviceAccount: 'payments' },
  { id: 'gamma', tier: 'starter', serviceAccount: 'analytics' },
  { id: 'delta', tier: 'starter', serviceAccount: 'payments' },
] as Omit<TenantConfig, 'version'>[];

function projectOf(platformOverrides: Partial<PlatformConfig> = tfcPlatform, tenants = TENANTS): Project {
  const platform = platformSpec(platformOverrides);
  const tiers = resolveTiers();
  const specs = tenants.map((t) => resolveTenant(tenantSchema.parse({ version: 1, ...t }), platform, tiers, `${t.id}.json`));
  return { dir: '/nonexistent', platform, tiers, tenants: specs };
}

const tenantIn = (project: Project, id: string): TenantSpec => project.tenants.find((t) => t.id === id)!;
const synthWorkspaces = (project: Project) => SynthJson.parse(Testing.synth(new WorkspacesStack(Testing.app(), { project })));
const synthBootstrap = (project: Project, accountName: string) =>
  SynthJson.parse(Testing.synth(new BootstrapStack(Testing.app(), { project, accountName })));
const policyOf = (role: any) => JSON.parse(role.assume_role_policy);

describe('GIVEN a platform with Terraform Cloud, two service accounts and tenants in each', () => {
  const project = projectOf();

  test('THEN the project synthesizes workspaces, one bootstrap per account, the platform and every tenant, in apply order', () => {
    expect(stackNames(project)).toEqual([
      'workspaces',
      'bootstrap-platform',
      'bootstrap-payments',
      'bootstrap-analytics',
      'platform',
      'cluster',
      'tenant-alpha',
      'tenant-beta',
      'tenant-gamma',
      'tenant-delta',
    ]);
  });

  describe('WorkspacesStack', () => {
    const json = synthWorkspaces(project);
    const workspaces = Object.entries(json.resources('tfe_workspace'));
    const workspaceNamed = (name: string) => {
      const found = workspaces.filter(([, w]) => w.name === name);
      expect(found).toHaveLength(1);
      return { id: found[0][0], ws: found[0][1] };
    };
    const projectRef = (name: string) => `\${tfe_project.${json.idOf('tfe_project', (p) => p.name === name)}.id}`;
    const variablesOf = (name: string) =>
      Object.fromEntries(
        json.where('tfe_variable', (v) => v.workspace_id === `\${tfe_workspace.${workspaceNamed(name).id}.id}`).map((v) => [v.key, v]),
      );

    test(
      'THEN its own state lives in its own workspace in the platform project; it talks to Terraform Cloud and, for the agent token, the ' +
        'platform account',
      () => {
        expect(json.json.terraform.cloud).toEqual({
          organization: 'acme-corp',
          hostname: HOST,
          workspaces: { name: 'acme-prod-workspaces', project: 'acme-prod-platform' },
        });
        expect(json.json.provider.tfe).toEqual([{ hostname: HOST, organization: 'acme-corp' }]);
        expect(json.json.provider.aws).toEqual([
          expect.objectContaining({
            region: 'eu-west-1',
            allowed_account_ids: [PLATFORM_ACCOUNT],
            default_tags: [{ tags: expect.objectContaining({ 'tenantctl:stack': 'workspaces', 'tenantctl:kind': 'workspaces' }) }],
          }),
        ]);
        // The API token comes from TFE_TOKEN in the environment, never from the configuration; the
        // only token in it is the agent pool's, passed from its resource to the secret.
        expect(JSON.stringify(json.json.provider)).not.toMatch(/token/i);
        expect(JSON.stringify(json.json).match(/\$\{[^}]*\.token\}/g)).toEqual([`\${tfe_agent_token.${json.idOf('tfe_agent_token')}.token}`]);
      },
    );

    test('THEN there is one project per AWS account', () => {
      expect(
        Object.values(json.resources('tfe_project'))
          .map((p: any) => p.name)
          .sort(),
      ).toEqual(['acme-prod-analytics', 'acme-prod-payments', 'acme-prod-platform']);
      for (const p of Object.values(json.resources('tfe_project')) as any[]) expect(p.organization).toBe('acme-corp');
    });

    test('THEN there is one workspace per stack but its own, in the project of the account the stack deploys into', () => {
      expect(workspaces.map(([, w]) => w.name).sort()).toEqual(
        [
          'bootstrap-analytics',
          'bootstrap-payments',
          'bootstrap-platform',
          'cluster',
          'platform',
          'tenant-alpha',
          'tenant-beta',
          'tenant-delta',
          'tenant-gamma',
        ].map((s) => `acme-prod-${s}`),
      );
      const expectations: [string, string][] = [
        ['acme-prod-platform', 'acme-prod-platform'],
        ['acme-prod-bootstrap-platform', 'acme-prod-platform'],
        ['acme-prod-bootstrap-payments', 'acme-prod-payments'],
        ['acme-prod-bootstrap-analytics', 'acme-prod-analytics'],
        ['acme-prod-tenant-alpha', 'acme-prod-platform'],
        ['acme-prod-tenant-beta', 'acme-prod-payments'],
        ['acme-prod-tenant-delta', 'acme-prod-payments'],
        ['acme-prod-tenant-gamma', 'acme-prod-analytics'],
      ];
      for (const [workspace, projectName] of expectations) expect(workspaceNamed(workspace).ws.project_id).toBe(projectRef(projectName));
    });

    test('THEN every workspace pins Terraform, never applies on its own and carries tenantctl, kind, account and tier tags', () => {
      for (const [, ws] of workspaces) {
        expect(ws.terraform_version).toBe('1.13.4');
        expect(ws.auto_apply).toBe(false);
        expect(ws.organization).toBe('acme-corp');
        expect(ws.tag_names).toContain('tenantctl');
      }
      expect(workspaceNamed('acme-prod-tenant-beta').ws.tag_names).toEqual(['tenantctl', 'tenant', 'account-payments', 'tier-standard']);
      expect(workspaceNamed('acme-prod-platform').ws.tag_names).toEqual(['tenantctl', 'platform', 'account-platform']);
      expect(workspaceNamed('acme-prod-bootstrap-analytics').ws.tag_names).toEqual(['tenantctl', 'bootstrap', 'account-analytics']);
    });

    test('THEN cluster and tenant workspaces run on the agents, bootstrap and platform workspaces remotely, and none shares its state', () => {
      const settings = Object.values(json.resources('tfe_workspace_settings')) as any[];
      expect(settings).toHaveLength(workspaces.length);
      expect(settings.map((s) => s.workspace_id).sort()).toEqual(workspaces.map(([id]) => `\${tfe_workspace.${id}.id}`).sort());
      for (const [id, ws] of workspaces) {
        const s = settings.find((x) => x.workspace_id === `\${tfe_workspace.${id}.id}`);
        expect(s.execution_mode).toBe(ws.tag_names.includes('tenant') || ws.tag_names.includes('cluster') ? 'agent' : 'remote');
        expect(s.global_remote_state).toBe(false);
        expect(s.remote_state_consumer_ids).toEqual([]);
      }
    });

    test('THEN a platform-account stack gets dynamic credentials for its own run role, nothing else', () => {
      const vars = variablesOf('acme-prod-tenant-alpha');
      expect(Object.keys(vars).sort()).toEqual(['TFC_AWS_PROVIDER_AUTH', 'TFC_AWS_RUN_ROLE_ARN']);
      expect(vars.TFC_AWS_PROVIDER_AUTH).toMatchObject({ category: 'env', value: 'true' });
      expect(vars.TFC_AWS_RUN_ROLE_ARN).toMatchObject({ category: 'env', value: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-tenant-alpha` });
      expect(variablesOf('acme-prod-platform').TFC_AWS_RUN_ROLE_ARN.value).toBe(`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-platform`);
      expect(variablesOf('acme-prod-bootstrap-payments').TFC_AWS_RUN_ROLE_ARN.value).toBe(
        `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tfc-bootstrap-payments`,
      );
    });

    test('THEN a tenant in a service account assumes its role there by default and its platform-account role under the PLATFORM tag', () => {
      const vars = variablesOf('acme-prod-tenant-beta');
      expect(Object.keys(vars).sort()).toEqual([
        'TFC_AWS_PROVIDER_AUTH',
        'TFC_AWS_PROVIDER_AUTH_PLATFORM',
        'TFC_AWS_RUN_ROLE_ARN',
        'TFC_AWS_RUN_ROLE_ARN_PLATFORM',
      ]);
      expect(vars.TFC_AWS_RUN_ROLE_ARN.value).toBe(`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tfc-tenant-beta`);
      expect(vars.TFC_AWS_RUN_ROLE_ARN_PLATFORM.value).toBe(`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-tenant-beta`);
      expect(vars.TFC_AWS_PROVIDER_AUTH_PLATFORM.value).toBe('true');
      for (const v of Object.values(vars) as any[]) expect(v.sensitive).toBeUndefined();
    });

    test('THEN adding a tenant adds its workspace and leaves every other workspace definition unchanged', () => {
      // epsilon lives in a service account: credentials for its account and, tagged, the platform's.
      const bigger = synthWorkspaces(projectOf(tfcPlatform, [...TENANTS, { id: 'epsilon', tier: 'standard', serviceAccount: 'analytics' } as any]));
      for (const type of ['tfe_project', 'tfe_workspace', 'tfe_workspace_settings', 'tfe_variable']) {
        const before = json.resources(type);
        const after = bigger.resources(type);
        for (const [id, resource] of Object.entries(before)) expect(after[id]).toEqual(resource);
        const added = Object.keys(after).filter((id) => !(id in before));
        const expectedAdded = { tfe_project: 0, tfe_workspace: 1, tfe_workspace_settings: 1, tfe_variable: 4 }[type];
        expect(added).toHaveLength(expectedAdded!);
      }
    });

    test('WHEN a CI team is named THEN it gets write access to every project the stack creates, and without one nothing is granted', () => {
      expect(json.resources('tfe_team_project_access')).toEqual({});
      const withTeam = synthWorkspaces(
        projectOf({ ...tfcPlatform, terraformCloud: { organization: 'acme-corp', ciTeam: 'platform-ci' } } as Partial<PlatformConfig>),
      );
      const teamId = Object.keys(withTeam.json.data.tfe_team)[0];
      expect(withTeam.json.data.tfe_team[teamId]).toEqual({ name: 'platform-ci', organization: 'acme-corp' });
      const grants = Object.values(withTeam.resources('tfe_team_project_access')) as any[];
      const projectIds = Object.keys(withTeam.resources('tfe_project')).map((id) => `\${tfe_project.${id}.id}`);
      expect(grants.map((g) => g.project_id).sort()).toEqual(projectIds.sort());
      for (const g of grants) expect(g).toMatchObject({ access: 'write', team_id: `\${data.tfe_team.${teamId}.id}` });
    });

    test(
      'WHEN an agent pool is named THEN cluster and tenant runs (the private Kubernetes API) use it, the rest stays on Terraform Cloud ' +
        'runners, and tenantctl creates no pool, token or AWS resource',
      () => {
        const withPool = synthWorkspaces(
          projectOf({ ...tfcPlatform, terraformCloud: { organization: 'acme-corp', agentPool: 'acme-vpc' } } as Partial<PlatformConfig>),
        );
        const pool = withPool.json.data.tfe_agent_pool;
        const poolId = Object.keys(pool)[0];
        expect(pool[poolId]).toEqual({ name: 'acme-vpc', organization: 'acme-corp' });
        const settingsFor = (name: string) => {
          const wsId = withPool.idOf('tfe_workspace', (w) => w.name === name);
          return withPool.where('tfe_workspace_settings', (s) => s.workspace_id === `\${tfe_workspace.${wsId}.id}`)[0];
        };
        for (const name of ['acme-prod-cluster', 'acme-prod-tenant-beta']) {
          expect(settingsFor(name)).toMatchObject({ execution_mode: 'agent', agent_pool_id: `\${data.tfe_agent_pool.${poolId}.id}` });
          expect(settingsFor(name).depends_on).toBeUndefined();
        }
        for (const name of ['acme-prod-platform', 'acme-prod-bootstrap-payments']) {
          expect(settingsFor(name).execution_mode).toBe('remote');
          expect(settingsFor(name).agent_pool_id).toBeUndefined();
        }
        for (const type of [
          'tfe_agent_pool',
          'tfe_agent_token',
          'tfe_agent_pool_allowed_projects',
          'tfe_agent_pool_excluded_workspaces',
          'aws_secretsmanager_secret',
        ]) {
          expect(withPool.resources(type)).toEqual({});
        }
        expect(withPool.json.provider.aws).toBeUndefined();
        expect(withPool.json.data.tfe_workspace).toBeUndefined();
      },
    );
  });

  describe("WorkspacesStack: tenantctl's agent pool (no agentPool named)", () => {
    const json = synthWorkspaces(project);
    const poolRef = `\${tfe_agent_pool.${json.idOf('tfe_agent_pool')}.id}`;
    const wsRef = (name: string) => `\${tfe_workspace.${json.idOf('tfe_workspace', (w) => w.name === name)}.id}`;
    const selfId = Object.keys(json.data('tfe_workspace'))[0];

    test('THEN the pool is scoped to the account projects, minus every workspace that does not run on it', () => {
      expect(json.one('tfe_agent_pool')).toEqual({ name: 'acme-prod-vpc-agents', organization: 'acme-corp', organization_scoped: false });
      const projectRefs = Object.keys(json.resources('tfe_project')).map((id) => `\${tfe_project.${id}.id}`);
      expect(json.one('tfe_agent_pool_allowed_projects')).toEqual({
        agent_pool_id: poolRef,
        allowed_project_ids: expect.arrayContaining(projectRefs),
      });
      expect(json.one('tfe_agent_pool_allowed_projects').allowed_project_ids).toHaveLength(3);
      expect(json.one('tfe_agent_pool_excluded_workspaces')).toEqual({
        agent_pool_id: poolRef,
        excluded_workspace_ids: [
          `\${data.tfe_workspace.${selfId}.id}`,
          ...['bootstrap-platform', 'bootstrap-payments', 'bootstrap-analytics', 'platform'].map((s) => wsRef(`acme-prod-${s}`)),
        ],
      });
      expect(json.data('tfe_workspace')[selfId]).toEqual({ name: 'acme-prod-workspaces', organization: 'acme-corp' });
    });

    test('THEN tenant workspaces run on it once the scope admits them', () => {
      const settings = json.where('tfe_workspace_settings', (s) => s.workspace_id === wsRef('acme-prod-tenant-gamma'))[0];
      expect(settings).toMatchObject({
        execution_mode: 'agent',
        agent_pool_id: poolRef,
        depends_on: [`tfe_agent_pool_allowed_projects.${json.idOf('tfe_agent_pool_allowed_projects')}`],
      });
    });

    test('THEN its token goes into a Secrets Manager secret of the platform account, under a KMS key of its own', () => {
      const tokenId = json.idOf('tfe_agent_token');
      expect(json.one('tfe_agent_token')).toEqual({
        agent_pool_id: poolRef,
        description:
          'tenantctl: agents of acme-prod (Auto Scaling group acme-prod-terraform-agents), via Secrets Manager acme-prod-terraform-agent-token',
      });
      const keyId = json.idOf('aws_kms_key');
      expect(json.one('aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      expect(JSON.parse(json.one('aws_kms_key').policy).Statement).toEqual([
        {
          Sid: 'AccountAdministersKey',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ]);
      expect(json.one('aws_kms_alias')).toEqual({ name: 'alias/acme-prod/terraform-agent-token', target_key_id: `\${aws_kms_key.${keyId}.key_id}` });
      expect(json.one('aws_secretsmanager_secret')).toMatchObject({
        name: 'acme-prod-terraform-agent-token',
        kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      });
      expect(json.one('aws_secretsmanager_secret_version')).toEqual({
        secret_id: `\${aws_secretsmanager_secret.${json.idOf('aws_secretsmanager_secret')}.id}`,
        secret_string: `\${tfe_agent_token.${tokenId}.token}`,
      });
    });

    test('THEN its own workspace gets dynamic credentials for the workspaces run role in the platform account', () => {
      const vars = json.where('tfe_variable', (v) => v.workspace_id === `\${data.tfe_workspace.${selfId}.id}`);
      expect(vars.map(({ description: _description, ...v }) => v)).toEqual([
        { workspace_id: `\${data.tfe_workspace.${selfId}.id}`, category: 'env', key: 'TFC_AWS_PROVIDER_AUTH', value: 'true' },
        {
          workspace_id: `\${data.tfe_workspace.${selfId}.id}`,
          category: 'env',
          key: 'TFC_AWS_RUN_ROLE_ARN',
          value: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-workspaces`,
        },
      ]);
    });

    test('THEN adding a tenant leaves the pool, its scope, its token and the secret unchanged', () => {
      const bigger = synthWorkspaces(projectOf(tfcPlatform, [...TENANTS, { id: 'epsilon', tier: 'standard', serviceAccount: 'analytics' } as any]));
      for (const type of [
        'tfe_agent_pool',
        'tfe_agent_pool_allowed_projects',
        'tfe_agent_pool_excluded_workspaces',
        'tfe_agent_token',
        'aws_kms_key',
        'aws_secretsmanager_secret',
        'aws_secretsmanager_secret_version',
      ]) {
        expect(bigger.resources(type)).toEqual(json.resources(type));
      }
    });
  });

  describe('BootstrapStack of the platform account', () => {
    const json = synthBootstrap(project, 'platform');
    const allRoles = Object.values(json.resources('aws_iam_role')) as any[];
    const roles = allRoles.filter((r) => r.name.includes('-tfc-'));
    const roleNamed = (name: string) => roles.find((r) => r.name === name);
    const oidcRef = `\${aws_iam_openid_connect_provider.${json.idOf('aws_iam_openid_connect_provider')}.arn}`;

    test('THEN it runs in its own workspace with credentials pinned to the platform account', () => {
      expect(json.json.terraform.cloud.workspaces).toEqual({ name: 'acme-prod-bootstrap-platform', project: 'acme-prod-platform' });
      expect(json.json.provider.aws[0].allowed_account_ids).toEqual([PLATFORM_ACCOUNT]);
    });

    test('THEN it trusts Terraform Cloud workload identity tokens through an OIDC provider', () => {
      expect(json.one('aws_iam_openid_connect_provider')).toMatchObject({ url: `https://${HOST}`, client_id_list: ['aws.workload.identity'] });
    });

    test('THEN it has a run role for every workspace that needs platform-account credentials, tenants of service accounts included', () => {
      expect(roles.map((r) => r.name).sort()).toEqual(
        ['bootstrap-platform', 'cluster', 'platform', 'tenant-alpha', 'tenant-beta', 'tenant-delta', 'tenant-gamma', 'workspaces'].map(
          (s) => `acme-prod-tfc-${s}`,
        ),
      );
    });

    test('THEN it owns the node role of each tenant with dedicated nodes, trusted by EC2, with the node policies only', () => {
      const nodeRoles = allRoles.filter((r) => !r.name.includes('-tfc-'));
      expect(nodeRoles.map((r) => r.name)).toEqual(['acme-prod-eks-node-tenant-alpha']);
      expect(JSON.parse(nodeRoles[0].assume_role_policy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-eks-node-tenant-alpha');
      expect(json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`)).toEqual([]);
      expect(
        json
          .where('aws_iam_role_policy_attachment', (a) => a.role === `\${aws_iam_role.${roleId}.name}`)
          .map((a) => a.policy_arn)
          .sort(),
      ).toEqual([
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      ]);
      const bootstrap = inlinePolicy('acme-prod-tfc-bootstrap-platform').Statement;
      expect(bootstrap.find((s: any) => s.Sid === 'TenantNodeRoles').Resource).toEqual([
        `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-eks-node-tenant-*`,
      ]);
    });

    test("THEN the workspaces run role (tenantctl's agents) may only hand over the agent token: its secret by name, a key tagged as its own", () => {
      const statements = inlinePolicy('acme-prod-tfc-workspaces').Statement;
      const sid = (id: string) => statements.find((s: any) => s.Sid === id);
      expect(sid('AgentTokenSecret').Resource).toEqual([
        `arn:aws:secretsmanager:eu-west-1:${PLATFORM_ACCOUNT}:secret:acme-prod-terraform-agent-token-??????`,
      ]);
      expect(sid('CreateAgentTokenKey').Condition).toEqual({ StringEquals: { 'aws:RequestTag/tenantctl:stack': 'workspaces' } });
      expect(sid('ManageAgentTokenKey').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/tenantctl:stack': 'workspaces' } });
      expect(sid('UseAgentTokenKeyThroughSecretsManager').Condition.StringEquals['kms:ViaService']).toBe('secretsmanager.eu-west-1.amazonaws.com');
      expect(statements.flatMap((s: any) => s.Action).filter((a: string) => a.startsWith('iam:') || a.startsWith('eks:'))).toEqual([]);
    });

    test.each([
      ['acme-prod-tfc-platform', 'acme-prod-platform', 'acme-prod-platform'],
      ['acme-prod-tfc-tenant-alpha', 'acme-prod-platform', 'acme-prod-tenant-alpha'],
      ['acme-prod-tfc-tenant-beta', 'acme-prod-payments', 'acme-prod-tenant-beta'],
      ['acme-prod-tfc-bootstrap-platform', 'acme-prod-platform', 'acme-prod-bootstrap-platform'],
    ])('THEN role %s trusts exactly project %s, workspace %s of the organization', (roleName, projectName, workspace) => {
      expect(policyOf(roleNamed(roleName))).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: oidcRef },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${HOST}:aud`]: 'aws.workload.identity' },
              StringLike: { [`${HOST}:sub`]: `organization:acme-corp:project:${projectName}:workspace:${workspace}:run_phase:*` },
            },
          },
        ],
      });
    });

    const inlinePolicy = (roleName: string) => {
      const roleId = json.idOf('aws_iam_role', (r) => r.name === roleName);
      const policies = json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`);
      expect(policies).toHaveLength(1);
      return JSON.parse(policies[0].policy);
    };

    test('THEN no run role may use a wildcard action, and only calls with no resource level (EC2 and Auto Scaling Describe, DescribeTargetGroups, ListClusters, ListAliases) use Resource "*"', () => {
      // CreateKey and CreateUserPool are conditioned on a request tag.
      const noResourceLevel = (a: string, s: any) =>
        /^(ec2|autoscaling):Describe/.test(a) ||
        [
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetGroupAttributes',
          'elasticloadbalancing:DescribeTags',
          'eks:ListClusters',
          'kms:ListAliases',
        ].includes(a) ||
        (['kms:CreateKey', 'cognito-idp:CreateUserPool'].includes(a) && s.Condition);
      for (const role of roles) {
        for (const s of inlinePolicy(role.name).Statement) {
          for (const action of s.Action) expect(action).not.toMatch(/\*/);
          // A denial may cover everything: it grants nothing.
          if (s.Resource.includes('*') && s.Effect === 'Allow') expect(s.Action.every((a: string) => noResourceLevel(a, s))).toBe(true);
        }
      }
    });

    test('THEN the platform run role is a power user with IAM on its own prefix, and may not touch the run roles', () => {
      const attachments = json.where(
        'aws_iam_role_policy_attachment',
        (a) => a.role === `\${aws_iam_role.${json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tfc-platform')}.name}`,
      );
      expect(attachments.map((a) => a.policy_arn)).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess']);
      const statements = inlinePolicy('acme-prod-tfc-platform').Statement;
      expect(statements.find((s: any) => s.Sid === 'PlatformRolesAndPolicies').Resource).toEqual([
        `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-*`,
        `arn:aws:iam::${PLATFORM_ACCOUNT}:policy/acme-prod-*`,
      ]);
      expect(statements.find((s: any) => s.Effect === 'Deny')).toMatchObject({ Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-*`] });
      expect(statements.find((s: any) => s.Effect === 'Deny').Action).toEqual(
        expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']),
      );
      // The Auto Scaling service-linked role the platform creates before the EBS key: PowerUserAccess has no IAM.
      expect(statements.find((s: any) => s.Sid === 'ManagedServiceLinkedRoles').Resource).toEqual([
        `arn:aws:iam::${PLATFORM_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      ]);
    });

    test(
      'THEN a tenant run role may change only its own IAM role and reads the platform by name; it assumes no other role ' +
        '(test/stacks/tenant-pipeline-access.test.ts checks every tenant)',
      () => {
        const statements = inlinePolicy('acme-prod-tfc-tenant-beta').Statement;
        const sid = (id: string) => statements.find((s: any) => s.Sid === id);
        expect(sid('IamRole').Resource).toEqual([`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-beta`]);
        expect(statements.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => s.Action)).not.toContain('sts:AssumeRole');
        expect(sid('NoRoleSessions')).toEqual({
          Sid: 'NoRoleSessions',
          Effect: 'Deny',
          Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
          Resource: ['*'],
        });
        expect(JSON.stringify(statements)).not.toContain('rds-proxy');
        expect(
          json.where('aws_iam_role_policy_attachment', (a) =>
            a.role.includes(json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tfc-tenant-beta')),
          ),
        ).toEqual([]);
      },
    );

    test("THEN the cluster run role manages only the add-ons' IRSA roles by name and reads the platform by name; no managed policy", () => {
      const statements = inlinePolicy('acme-prod-tfc-cluster').Statement;
      const sid = (id: string) => statements.find((s: any) => s.Sid === id);
      expect(sid('AddonRoles').Resource).toEqual(
        ['aws-load-balancer-controller', 'db-provisioner', 'db-tenant-provisioner', 'db-tenant-purger', 'cluster-autoscaler'].map(
          (r) => `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-${r}`,
        ),
      );
      expect(sid('AddonRoles').Action).not.toContain('iam:PassRole');
      expect(sid('ReadPlatformByName')).toMatchObject({ Action: ['eks:DescribeCluster', 'rds:DescribeDBProxies', 'kms:DescribeKey'] });
      expect(sid('FindTargetGroup')).toEqual({
        Sid: 'FindTargetGroup',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetGroupAttributes',
          'elasticloadbalancing:DescribeTags',
        ],
        Resource: ['*'],
      });
      const secret = `arn:aws:secretsmanager:eu-west-1:${PLATFORM_ACCOUNT}:secret:acme-prod/ratelimit/redis-auth-token-??????`;
      expect(sid('RateLimitRedisByName')).toMatchObject({
        Action: ['elasticache:DescribeReplicationGroups', 'secretsmanager:GetSecretValue'],
        Resource: [`arn:aws:elasticache:eu-west-1:${PLATFORM_ACCOUNT}:replicationgroup:acme-prod-ratelimit`, secret],
      });
      expect(sid('DecryptRateLimitToken')).toMatchObject({
        Action: ['kms:Decrypt'],
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:SecretARN': secret },
        },
      });
      // The STS endpoint's addresses, for the database provisioner's egress policy.
      expect(sid('FindStsEndpoint')).toEqual({
        Sid: 'FindStsEndpoint',
        Effect: 'Allow',
        Action: ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces'],
        Resource: ['*'],
      });
      expect(statements).toHaveLength(6);
      expect(
        json.where('aws_iam_role_policy_attachment', (a) => a.role.includes(json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tfc-cluster'))),
      ).toEqual([]);
    });

    test("THEN the bootstrap run role manages only the OIDC provider, the run roles (attaching no policy but PowerUserAccess), the tenant run roles' access entries and the tenant node roles (attaching only the node policies)", () => {
      const statements = inlinePolicy('acme-prod-tfc-bootstrap-platform').Statement;
      const sid = (id: string) => statements.find((s: any) => s.Sid === id);
      expect(statements.map((s: any) => s.Sid)).toEqual([
        'FindCluster',
        'TenantRunRoleAccessEntries',
        'UpdateTenantRunRoleAccessEntries',
        'ManageTenantRunRoleAccessEntries',
        'TenantRunRolesAdminInTheirNamespace',
        'TenantNodeRoles',
        'AttachOnlyNodePoliciesToTenantNodeRoles',
        'TenantNodeRolesOutOfEksInstanceProfiles',
        'TerraformCloudOidcProvider',
        'TerraformCloudRunRoles',
        'TenantBoundaryPolicy',
        'AttachOnlyPowerUserToRunRoles',
      ]);
      expect(sid('TerraformCloudOidcProvider').Resource).toEqual([`arn:aws:iam::${PLATFORM_ACCOUNT}:oidc-provider/${HOST}`]);
      expect(sid('TerraformCloudRunRoles').Resource).toEqual([`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-*`]);
      expect(sid('AttachOnlyNodePoliciesToTenantNodeRoles')).toEqual({
        Sid: 'AttachOnlyNodePoliciesToTenantNodeRoles',
        Effect: 'Allow',
        Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-eks-node-tenant-*`],
        Condition: {
          ArnEquals: {
            'iam:PolicyARN': ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'].map(
              (p) => `arn:aws:iam::aws:policy/${p}`,
            ),
          },
        },
      });
      expect(sid('AttachOnlyPowerUserToRunRoles').Condition).toEqual({ ArnEquals: { 'iam:PolicyARN': ['arn:aws:iam::aws:policy/PowerUserAccess'] } });
      const entries = `arn:aws:eks:eu-west-1:${PLATFORM_ACCOUNT}:access-entry/acme-prod/role/${PLATFORM_ACCOUNT}/acme-prod-tfc-tenant-*/*`;
      expect(sid('TenantRunRoleAccessEntries')).toEqual({
        Sid: 'TenantRunRoleAccessEntries',
        Effect: 'Allow',
        Action: ['eks:CreateAccessEntry'],
        Resource: [`arn:aws:eks:eu-west-1:${PLATFORM_ACCOUNT}:cluster/acme-prod`],
        Condition: {
          ArnLike: { 'eks:principalArn': `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-tenant-*` },
          StringEquals: { 'eks:accessEntryType': 'STANDARD' },
          'ForAllValues:StringLike': { 'eks:kubernetesGroups': ['tenantctl:tenant-deployers', 'tenantctl:tenant:*', 'tenantctl:tenant-purgers'] },
        },
      });
      expect(sid('TenantRunRolesAdminInTheirNamespace')).toMatchObject({
        Resource: [entries],
        Condition: {
          StringEquals: { 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', 'eks:accessScope': 'namespace' },
          'ForAllValues:StringLike': { 'eks:namespaces': ['tenant-*'] },
        },
      });
      expect(sid('ManageTenantRunRoleAccessEntries').Resource).toEqual([entries]);
      // A service account's bootstrap has no cluster to grant access to.
      const payments = synthBootstrap(project, 'payments');
      const paymentsRoleId = payments.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tfc-bootstrap-payments');
      const paymentsPolicy = JSON.parse(payments.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${paymentsRoleId}.name}`)[0].policy);
      expect(paymentsPolicy.Statement.map((s: any) => s.Sid)).toEqual([
        'TerraformCloudOidcProvider',
        'TerraformCloudRunRoles',
        'TenantBoundaryPolicy',
        'AttachOnlyPowerUserToRunRoles',
      ]);
      expect(payments.resources('aws_eks_access_entry')).toEqual({});
    });
  });

  describe('BootstrapStack of a service account', () => {
    const json = synthBootstrap(project, 'payments');
    const roles = Object.values(json.resources('aws_iam_role')) as any[];

    test("THEN it deploys into that account, in that account's project", () => {
      expect(json.json.provider.aws[0].allowed_account_ids).toEqual([PAYMENTS_ACCOUNT]);
      expect(json.json.terraform.cloud.workspaces).toEqual({ name: 'acme-prod-bootstrap-payments', project: 'acme-prod-payments' });
    });

    test('THEN it holds run roles for its own workspace and the tenants in the account, nothing else', () => {
      expect(roles.map((r) => r.name).sort()).toEqual([
        'acme-prod-tfc-bootstrap-payments',
        'acme-prod-tfc-tenant-beta',
        'acme-prod-tfc-tenant-delta',
      ]);
      const beta = roles.find((r) => r.name === 'acme-prod-tfc-tenant-beta');
      expect(policyOf(beta).Statement[0].Condition.StringLike[`${HOST}:sub`]).toBe(
        'organization:acme-corp:project:acme-prod-payments:workspace:acme-prod-tenant-beta:run_phase:*',
      );
    });

    test("THEN a tenant run role there may manage only the tenant's account role", () => {
      const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tfc-tenant-beta');
      const policy = JSON.parse(json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`)[0].policy);
      const [denies, allows] = [policy.Statement.filter((s: any) => s.Effect === 'Deny'), policy.Statement.filter((s: any) => s.Effect === 'Allow')];
      for (const s of allows) expect(s.Resource).toEqual([`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tenant-beta`]);
      // The denial keeps the tenant boundary (tenant-pipeline-access.test.ts checks its conditions).
      expect(denies.map((s: any) => s.Sid)).toEqual(['KeepTenantBoundary', 'NoRoleSessions']);
    });
  });

  describe('TenantStack of a tenant in a service account', () => {
    const tenant = tenantIn(project, 'beta');
    const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: project.platform, tenant })));
    const providers = json.json.provider.aws as any[];
    const byAlias = (alias?: string) => providers.find((p) => p.alias === alias);

    test('THEN its default AWS provider targets its own account and a platform alias reads the tagged dynamic credentials', () => {
      expect(byAlias(undefined).allowed_account_ids).toEqual([PAYMENTS_ACCOUNT]);
      expect(byAlias(undefined).profile).toBeUndefined();
      expect(byAlias('platform').allowed_account_ids).toEqual([PLATFORM_ACCOUNT]);
      expect(byAlias('platform').shared_config_files).toEqual(['${var.tfc_aws_dynamic_credentials.aliases.PLATFORM.shared_config_file}']);
      expect(json.json.variable.tfc_aws_dynamic_credentials.type).toMatch(/aliases = map\(object\(\{ shared_config_file = string \}\)\)/);
      expect(json.json.terraform.cloud.workspaces).toEqual({ name: 'acme-prod-tenant-beta', project: 'acme-prod-payments' });
    });

    test('THEN the cluster, database and their IAM are addressed in the platform account', () => {
      for (const type of ['aws_eks_cluster', 'aws_db_proxy', 'aws_db_instance', 'aws_iam_openid_connect_provider']) {
        for (const d of Object.values(json.data(type)) as any[]) expect(d.provider).toBe('aws.platform');
      }
      const workload = json.where('aws_iam_role', (r) => r.name === 'acme-prod-tenant-beta' && r.provider === 'aws.platform');
      expect(workload).toHaveLength(1);
      for (const e of Object.values(json.resources('aws_iam_role_policy')) as any[]) expect(e.provider).toBe('aws.platform');
    });

    test('THEN the Kubernetes token is signed by its own platform-account run role (its access entry), with the platform credentials', () => {
      const exec = json.json.provider.kubernetes[0].exec[0];
      expect(exec.args).not.toContain('--role-arn');
      expect(exec.env).toEqual({ AWS_CONFIG_FILE: byAlias('platform').shared_config_files[0], AWS_PROFILE: 'default' });
      expect(byAlias('cluster_auth')).toBeUndefined();
      expect(json.data('aws_eks_cluster_auth')).toEqual({});
    });

    test('THEN its own account holds the role its workloads chain into, trusting exactly the workload role', () => {
      const own = json.where('aws_iam_role', (r) => r.provider === 'aws');
      expect(own).toHaveLength(1);
      expect(own[0].name).toBe('acme-prod-tenant-beta');
      expect(policyOf(own[0])).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tenant-beta` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      });
      // The workload policy embeds a Terraform expression (the proxy id), so it is checked as text.
      const workloadPolicy = json.where('aws_iam_role_policy', (p) => p.name === 'acme-prod-tenant-beta')[0].policy as string;
      expect(workloadPolicy).toContain(
        JSON.stringify({
          Sid: 'ChainIntoTenantAccount',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tenant-beta`],
        }),
      );
      const sa = json.one('kubernetes_service_account_v1');
      expect(sa.metadata.annotations['tenantctl.io/account-role-arn']).toBe(`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/acme-prod-tenant-beta`);
    });
  });

  test('WHEN a tenant lives in the platform account THEN it has one AWS provider and no account role', () => {
    const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: project.platform, tenant: tenantIn(project, 'alpha') })));
    expect((json.json.provider.aws as any[]).map((p) => p.alias)).toEqual([undefined]);
    expect(json.json.provider.kubernetes[0].exec[0].args).toEqual([
      'eks',
      'get-token',
      '--cluster-name',
      'acme-prod',
      '--region',
      'eu-west-1',
      '--output',
      'json',
    ]);
    // The token command reads the run's own dynamic credentials, which Terraform Cloud writes to a shared config file.
    expect(json.json.provider.kubernetes[0].exec[0].env).toEqual({
      AWS_CONFIG_FILE: '${var.tfc_aws_dynamic_credentials.default.shared_config_file}',
      AWS_PROFILE: 'default',
    });
    expect(Object.keys(json.json.variable)).toEqual(['tfc_aws_dynamic_credentials']);
    expect(json.where('aws_iam_role', (r) => r.provider === 'aws')).toEqual([]);
  });

  test(
    'WHEN a tenant in a service account is removed THEN its stack keeps the providers its resources were created with, so they can ' + 'be destroyed',
    () => {
      const removed = resolveTenant(
        tenantSchema.parse({ version: 1, id: 'delta', tier: 'starter', serviceAccount: 'payments', status: 'removed' }),
        project.platform,
        project.tiers,
        'delta.json',
      );
      const json = SynthJson.parse(Testing.synth(new RemovedTenantStack(Testing.app(), { platform: project.platform, tenant: removed })));
      expect((json.json.provider.aws as any[]).map((p) => p.alias)).toEqual([undefined, 'platform']);
      expect(json.json.provider.kubernetes).toHaveLength(1);
      // The token is signed with the platform-account credentials, not the tenant account's.
      expect(json.json.provider.kubernetes[0].exec[0].env).toEqual({
        AWS_CONFIG_FILE: '${var.tfc_aws_dynamic_credentials.aliases.PLATFORM.shared_config_file}',
        AWS_PROFILE: 'default',
      });
      expect(json.json.resource).toBeUndefined();
    },
  );

  describe('PlatformStack with Terraform Cloud', () => {
    const json = SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: project.platform })));

    test('THEN only the cluster run role is cluster admin through an access entry; no tenant role or shared deployer role has one here', () => {
      const entries = Object.values(json.resources('aws_eks_access_entry')) as any[];
      expect(entries.map((e) => e.principal_arn)).toEqual([`arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-prod-tfc-cluster`]);
      const associations = Object.values(json.resources('aws_eks_access_policy_association')) as any[];
      expect(associations).toHaveLength(1);
      expect(associations[0]).toMatchObject({
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
      expect(json.where('aws_iam_role', (r) => r.name.includes('deployer'))).toEqual([]);
      expect(json.data('aws_iam_session_context')).toEqual({});
    });

    test("THEN tenantctl's agents run in the private subnets and may reach the private API endpoint", () => {
      const asg = json.one('aws_autoscaling_group');
      expect(asg.name).toBe('acme-prod-terraform-agents');
      expect(asg.vpc_zone_identifier).toHaveLength(3);
      for (const subnet of asg.vpc_zone_identifier) expect(subnet).toMatch(/^\$\{aws_subnet\.network_private/);
      const apiSg = json.idOf('aws_security_group', (g) => g.name === 'acme-prod-eks-api');
      expect(
        json.where('aws_vpc_security_group_egress_rule', (r) => r.referenced_security_group_id === `\${aws_security_group.${apiSg}.id}`),
      ).toHaveLength(1);
    });

    test('WHEN an agent pool of its own is named THEN tenantctl creates no agents', () => {
      const withPool = projectOf({ ...tfcPlatform, terraformCloud: { organization: 'acme-corp', agentPool: 'acme-vpc' } } as Partial<PlatformConfig>);
      const platformJson = SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: withPool.platform })));
      expect(platformJson.resources('aws_autoscaling_group')).toEqual({});
    });

    test('THEN it configures no Kubernetes or Helm provider and holds no Kubernetes resource', () => {
      expect(json.json.provider.kubernetes).toBeUndefined();
      expect(json.json.provider.helm).toBeUndefined();
      expect(Object.keys(json.json.resource).filter((t) => !t.startsWith('aws_'))).toEqual([]);
    });
  });
});

describe('GIVEN Terraform Cloud, the cluster stack', () => {
  test("THEN its token command reads the run's own dynamic credentials (the agents have no other)", () => {
    const { ClusterStack } = require('../../stacks/cluster-stack') as typeof import('../../stacks/cluster-stack');
    const project = projectOf();
    const json = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform: project.platform, tiers: project.tiers })));
    const env = { AWS_CONFIG_FILE: '${var.tfc_aws_dynamic_credentials.default.shared_config_file}', AWS_PROFILE: 'default' };
    expect(json.json.provider.kubernetes[0].exec[0].env).toEqual(env);
    expect(json.json.provider.helm[0].kubernetes.exec.env).toEqual(env);
    expect(json.json.provider.kubernetes[0].exec[0].args).not.toContain('--role-arn');
    expect(json.json.terraform.cloud.workspaces).toEqual({ name: 'acme-prod-cluster', project: 'acme-prod-platform' });
  });
});

describe('GIVEN no Terraform Cloud', () => {
  const project = projectOf({ aws: tfcPlatform.aws } as Partial<PlatformConfig>, TENANTS.slice(0, 2));

  test('THEN there are no workspaces or bootstrap stacks and every stack keeps a local state file', () => {
    expect(stackNames(project)).toEqual(['platform', 'cluster', 'tenant-alpha', 'tenant-beta']);
    const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: project.platform, tenant: tenantIn(project, 'beta') })));
    expect(json.json.terraform.backend).toEqual({ local: { path: '../../../state/tenant-beta/terraform.tfstate' } });
  });

  test('THEN a tenant in a service account uses the AWS CLI profile of that account, and the ambient credentials for the platform account', () => {
    const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: project.platform, tenant: tenantIn(project, 'beta') })));
    const providers = json.json.provider.aws as any[];
    expect(providers.map((p) => [p.alias, p.profile, p.allowed_account_ids])).toEqual([
      [undefined, 'payments', [PAYMENTS_ACCOUNT]],
      ['platform', undefined, [PLATFORM_ACCOUNT]],
    ]);
    expect(providers[1].shared_config_files).toBeUndefined();
    expect(json.json.variable).toBeUndefined();
    expect((Object.values(json.data('aws_eks_cluster'))[0] as any).provider).toBe('aws.platform');
    expect(json.json.provider.kubernetes[0].exec[0].args).not.toContain('--role-arn');
  });
});

describe('GIVEN the whole Terraform Cloud project synthesized', () => {
  test('THEN `tenantctl validate` rules find no error in any stack, the chain into a tenant account included', () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const { buildApp } = require('../../src/synth/app') as typeof import('../../src/synth/app');
    const { configOf, loadStacks, validate } = require('../../src/policy/engine') as typeof import('../../src/policy/engine');
    const project = projectOf();
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-tfc-'));
    try {
      buildApp(project, { outdir }).synth();
      const stacks = loadStacks(outdir);
      expect(stacks.map((s) => s.name).sort()).toEqual([...stackNames(project)].sort());
      const report = validate({ stacks, project, config: configOf(project) });
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('reviewed snapshot', () => {
  // Reviewed by hand: one project per account, one workspace per stack, each with its settings
  // and credential variables, for a platform with one service account and a tenant in each account;
  // tenantctl's agent pool (scoped to the projects, tenants on it) and its token's secret.
  test('THEN the workspaces stack of a small project is exactly this', () => {
    const small = projectOf(
      {
        ...tfcPlatform,
        aws: {
          region: 'eu-west-1',
          accountId: PLATFORM_ACCOUNT,
          serviceAccounts: [{ name: 'payments', accountId: PAYMENTS_ACCOUNT, purpose: 'Payment services' }],
        },
      } as Partial<PlatformConfig>,
      [TENANTS[0], TENANTS[1]],
    );
    expect(synthWorkspaces(small).json).toMatchSnapshot();
  });
});
