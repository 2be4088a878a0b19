import { Testing } from 'cdktf';
import { AWS_TYPE_ACTIONS, actionsOf, teardownActionsOf } from '../../src/model/aws-actions';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type Project, type TenantSpec } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { platformNames } from '../../src/model/names';
import { tenantEntitlementGroups } from '../../src/model/tenant-quota';
import { credentialAccounts, projectStacks } from '../../src/model/workspaces';
import { BootstrapStack } from '../../stacks/bootstrap-stack';
import { ClusterStack } from '../../stacks/cluster-stack';
import { SQL_JOB_HASH_LENGTH } from '../../stacks/constructs/database/sql-job';
import {
  MANAGE,
  TENANT_NAMESPACE_KINDS,
  TENANT_SHARED_NAMESPACE_KINDS,
  admissionPolicySpec,
} from '../../stacks/constructs/kubernetes/tenant-deployer-access';
import { TENANT_ADMIN_RULES } from '../../stacks/constructs/tenant/tenant-access';
import { tenantStackTypes, tenantTeardownTypes } from '../../stacks/constructs/tfc/tenant-run-permissions';
import { TenantStack } from '../../stacks/tenant-stack';
import { admits, type AdmissionRequest } from '../cel';
import { TYPED, plural } from '../engines/admission';
import { platformSpec, SynthJson } from '../util';

const PLATFORM_ACCOUNT = '111122223333';
const PAYMENTS_ACCOUNT = '222233334444';
/** IAM's limit on the inline policies of one role, in characters (whitespace not counted). */
const INLINE_POLICY_LIMIT = 10_240;

const tfc: Partial<PlatformConfig> = {
  aws: {
    region: 'eu-west-1',
    accountId: PLATFORM_ACCOUNT,
    serviceAccounts: [{ name: 'payments', accountId: PAYMENTS_ACCOUNT, purpose: 'Payments' }],
  },
  terraformCloud: { organization: 'acme-corp' },
  // Every identity mode: the enterprise tenants' own user pools and the standard tenants' lookups of the pooled one
  // (the stock tiers'), and starter tenants without identity.
  tiers: { starter: { identity: 'none' } },
} as Partial<PlatformConfig>;

/** Every stock tier in both accounts, one with an admin principal, one hyphenated id. */
const TENANTS = [
  { id: 'alpha', tier: 'enterprise', adminPrincipalArn: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/teams/alpha-admins` },
  { id: 'bravo', tier: 'standard' },
  { id: 'charlie', tier: 'starter' },
  { id: 'delta-one', tier: 'enterprise', serviceAccount: 'payments' },
  { id: 'echo', tier: 'standard', serviceAccount: 'payments', adminPrincipalArn: `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/echo-admins` },
  { id: 'foxtrot', tier: 'starter', serviceAccount: 'payments' },
] as Omit<TenantConfig, 'version'>[];

const platform = platformSpec(tfc);
const tiers = resolveTiers(platform.tiers);
const tenants: TenantSpec[] = TENANTS.map((t) => resolveTenant(tenantSchema.parse({ version: 1, ...t }), platform, tiers, `${t.id}.json`));
const project: Project = { dir: '/nonexistent', platform, tiers, tenants };
const bootstraps = Object.fromEntries(
  ['platform', 'payments'].map((a) => [a, SynthJson.parse(Testing.synth(new BootstrapStack(Testing.app(), { project, accountName: a })))]),
);
const tenantJson = Object.fromEntries(
  tenants.map((t) => [t.id, SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: t })))]),
);

/** The AWS types of a synthesized tenant stack, by the account their provider deploys into. */
function typesByAccount(tenant: TenantSpec): Record<string, string[]> {
  const json = tenantJson[tenant.id].json;
  const out: Record<string, Set<string>> = {};
  const add = (type: string, body: any) => {
    if (!type.replace(/^data\./, '').startsWith('aws_')) return;
    // A tenant in a service account: `aws` is its own account, `aws.platform` the platform's.
    const account = tenant.accountName === 'platform' || body.provider === 'aws.platform' ? 'platform' : tenant.accountName;
    (out[account] ??= new Set()).add(type);
  };
  for (const [type, all] of Object.entries(json.resource ?? {})) for (const body of Object.values(all as object)) add(type, body);
  for (const [type, all] of Object.entries(json.data ?? {})) for (const body of Object.values(all as object)) add(`data.${type}`, body);
  return Object.fromEntries(Object.entries(out).map(([a, s]) => [a, [...s].sort()]));
}

function runRolePolicy(tenant: TenantSpec, account: string): any[] {
  const json = bootstraps[account];
  const roleId = json.idOf('aws_iam_role', (r) => r.name === `acme-prod-tfc-${tenant.names.stack}`);
  const policies = json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`);
  expect(policies).toHaveLength(1);
  expect(json.where('aws_iam_role_policy_attachment', (a) => a.role === `\${aws_iam_role.${roleId}.name}`)).toEqual([]);
  return JSON.parse(policies[0].policy).Statement;
}

const READ = /^[a-z0-9-]+:(Describe|Get|List)/;

describe.each(tenants.map((t) => [t.id, t] as const))('GIVEN tenant %s under Terraform Cloud', (id, tenant) => {
  const accounts = credentialAccounts({ name: tenant.names.stack, kind: 'tenant', accountName: tenant.accountName });

  test('THEN every AWS resource and data source of its stack is in the action table, and its run roles are built from exactly those types', () => {
    const found = typesByAccount(tenant);
    expect(Object.keys(found).sort()).toEqual([...accounts].sort());
    for (const account of accounts) {
      for (const type of found[account]) expect(AWS_TYPE_ACTIONS[type]).toBeDefined();
      expect(found[account]).toEqual([...tenantStackTypes(tenant, account)].sort());
    }
  });

  test.each(accounts)('THEN its run role in account %s grants exactly the actions the table lists for those types', (account) => {
    const statements = runRolePolicy(tenant, account);
    const granted = [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action))].sort();
    // What its stack holds, and the teardown of dedicated nodes a tier change may leave to destroy.
    const needed = [
      ...new Set([...typesByAccount(tenant)[account].flatMap(actionsOf), ...tenantTeardownTypes(tenant, account).flatMap(teardownActionsOf)]),
    ].sort();
    expect(granted).toEqual(needed);
    if (tenant.tierSpec.nodes.isolation !== 'dedicated' && account === 'platform') {
      expect(granted).toEqual(
        expect.arrayContaining(['eks:DeleteNodegroup', 'eks:DescribeNodegroup', 'ec2:DeleteLaunchTemplate', 'autoscaling:DeleteTags']),
      );
      for (const a of [
        'eks:CreateNodegroup',
        'eks:UpdateNodegroupConfig',
        'ec2:CreateLaunchTemplate',
        'ec2:CreateLaunchTemplateVersion',
        'iam:PassRole',
      ])
        expect(granted).not.toContain(a);
    }
    expect(statements.filter((s) => s.Effect !== 'Allow').map((s) => s.Sid)).toEqual(['KeepTenantBoundary', 'NoRoleSessions']);
    // Session tags would override the workload role's tags the boundary keys on: no session may be started at all.
    expect(statements.find((s) => s.Sid === 'NoRoleSessions')).toEqual({
      Sid: 'NoRoleSessions',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      Resource: ['*'],
    });
  });

  test.each(accounts)(
    'THEN its run role in account %s may create and write its IAM role only with the tenant boundary, and never lift it',
    (account) => {
      const accountId = account === 'platform' ? PLATFORM_ACCOUNT : PAYMENTS_ACCOUNT;
      const boundary = `arn:aws:iam::${accountId}:policy/acme-prod-tenant-boundary`;
      const role = `arn:aws:iam::${accountId}:role/${tenant.names.iamRole}`;
      const statements = runRolePolicy(tenant, account);
      const bounded = { StringEquals: { 'iam:PermissionsBoundary': boundary } };
      const withAction = (action: string) => statements.filter((s) => s.Effect === 'Allow' && s.Action.includes(action));
      for (const action of [
        'iam:CreateRole',
        'iam:PutRolePermissionsBoundary',
        ...(account === 'platform' ? ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'] : []),
      ]) {
        expect({ action, scopes: withAction(action).map((s) => [s.Resource, s.Condition]) }).toEqual({ action, scopes: [[[role], bounded]] });
      }
      expect(withAction('iam:TagRole').map((s) => [s.Resource, s.Condition])).toEqual([
        [[role], { StringEqualsIfExists: { 'aws:RequestTag/tenantctl:tenant': id, 'aws:RequestTag/tenantctl:db-user': tenant.names.dbRole } }],
      ]);
      expect(withAction('iam:UntagRole').map((s) => s.Condition)).toEqual([
        { 'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': ['tenantctl:tenant', 'tenantctl:db-user'] } },
      ]);
      expect(statements.find((s) => s.Sid === 'KeepTenantBoundary')).toEqual({
        Sid: 'KeepTenantBoundary',
        Effect: 'Deny',
        Action: [
          'iam:DeleteRolePermissionsBoundary',
          'iam:CreatePolicyVersion',
          'iam:DeletePolicyVersion',
          'iam:SetDefaultPolicyVersion',
          'iam:DeletePolicy',
          'iam:TagPolicy',
          'iam:UntagPolicy',
        ],
        Resource: [`arn:aws:iam::${accountId}:role/*`, boundary],
      });
    },
  );

  test('THEN every IAM role of its stack carries the boundary of its account, the workload role its database user tag', () => {
    const roles = Object.values(tenantJson[id].resources('aws_iam_role')) as any[];
    const expected = [
      {
        account: PLATFORM_ACCOUNT,
        provider: tenant.accountName === 'platform' ? undefined : 'aws.platform',
        tags: { 'tenantctl:db-user': tenant.names.dbRole },
      },
      ...(tenant.accountName === 'platform' ? [] : [{ account: PAYMENTS_ACCOUNT, provider: 'aws', tags: undefined }]),
    ];
    expect(
      roles
        .map((r) => ({ name: r.name, boundary: r.permissions_boundary, tags: r.tags, provider: r.provider }))
        .sort((a, b) => String(a.provider).localeCompare(String(b.provider))),
    ).toEqual(
      expected
        .map((e) => ({
          name: tenant.names.iamRole,
          boundary: `arn:aws:iam::${e.account}:policy/acme-prod-tenant-boundary`,
          tags: e.tags,
          provider: e.provider,
        }))
        .sort((a, b) => String(a.provider).localeCompare(String(b.provider))),
    );
  });

  test.each(accounts)(
    'THEN every write of its run role in account %s acts on its own objects (by name, tag or principal) and never on a shared role',
    (account) => {
      const own = [
        tenant.names.iamRole,
        `role/${tenant.names.nodeRole}`,
        `nodegroup/acme-prod/${tenant.names.nodeGroup}/`,
        ...(tenant.adminPrincipalArn ? [tenant.adminPrincipalArn.split('/').pop()!] : []),
      ];
      for (const s of runRolePolicy(tenant, account).filter((x) => x.Effect === 'Allow')) {
        const writes = s.Action.filter((a: string) => !READ.test(a));
        if (!writes.length) continue;
        const condition = JSON.stringify(s.Condition ?? {});
        const scoped =
          s.Resource.every((r: string) => own.some((o) => r.includes(o))) ||
          condition.includes(`"${tenant.id}"`) ||
          condition.includes(`"aws:ResourceTag/eks:nodegroup-name":"${tenant.names.nodeGroup}"`) ||
          (tenant.adminPrincipalArn !== undefined && condition.includes(tenant.adminPrincipalArn));
        expect({ sid: s.Sid, scoped }).toEqual({ sid: s.Sid, scoped: true });
      }
      const text = JSON.stringify(runRolePolicy(tenant, account).filter((x) => x.Effect === 'Allow'));
      for (const other of tenants.filter((t) => t.id !== tenant.id)) expect(text).not.toContain(`tenant-${other.id}`);
      expect(text).not.toContain('acme-prod-rds-proxy');
      expect(text).not.toContain('sts:');
    },
  );

  test.each(accounts)(
    "THEN its run role in account %s may only read SSM, and only the pooled user pool's id parameter when its tier is pooled",
    (account) => {
      const ssm = runRolePolicy(tenant, account).filter((x) => x.Action.some((a: string) => a.startsWith('ssm:')));
      const pooled = tenant.tierSpec.identity === 'pooled' && account === 'platform';
      expect(ssm).toEqual(
        pooled
          ? [
              {
                Sid: expect.any(String),
                Effect: 'Allow',
                Action: ['ssm:GetParameter'],
                Resource: [`arn:aws:ssm:eu-west-1:${PLATFORM_ACCOUNT}:parameter/acme-prod/identity/pooled-user-pool-id`],
              },
            ]
          : [],
      );
    },
  );

  test.each(accounts)('THEN its run role in account %s may pass only its own node role, and only to EKS', (account) => {
    const passes = runRolePolicy(tenant, account).filter((x) => x.Effect === 'Allow' && x.Action.includes('iam:PassRole'));
    if (tenant.tierSpec.nodes.isolation !== 'dedicated' || account !== 'platform') return expect(passes).toEqual([]);
    expect(passes).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/${tenant.names.nodeRole}`],
        Condition: { StringEquals: { 'iam:PassedToService': 'eks.amazonaws.com' } },
      },
    ]);
  });

  test.each(accounts)('THEN its run role in account %s stays well inside the inline policy limit', (account) => {
    const size = JSON.stringify({ Version: '2012-10-17', Statement: runRolePolicy(tenant, account) }).length;
    // 20% headroom: the largest policy (an enterprise tenant with an admin, dedicated nodes and its own user pool,
    // boundary conditions included) is about 7,600 characters; without the user pool about 6,500.
    expect(size).toBeLessThan(INLINE_POLICY_LIMIT * 0.8);
  });

  test(
    'THEN its run role has a Kubernetes identity of its own: the deployer groups and admin on its own namespace only, once the ' + 'cluster exists',
    () => {
      const json = bootstraps.platform;
      const roleRef = `\${aws_iam_role.${json.idOf('aws_iam_role', (r) => r.name === `acme-prod-tfc-${tenant.names.stack}`)}.arn}`;
      const entries = json.where('aws_eks_access_entry', (e) => e.principal_arn === roleRef);
      expect(entries).toEqual([
        expect.objectContaining({
          cluster_name: 'acme-prod',
          type: 'STANDARD',
          kubernetes_groups: pipelineGroups(tenant),
          count: expect.stringContaining('data.aws_eks_clusters'),
        }),
      ]);
      // The entitlements are the tenant's tier, the hard limits of the quota its stack writes and its rate at the gateway.
      const quota = Object.values(tenantJson[id].resources('kubernetes_resource_quota_v1'))[0] as any;
      expect(pipelineGroups(tenant).slice(2).sort()).toEqual(
        [
          `tenantctl:tier:${tenant.tier}`,
          ...Object.entries(quota.spec.hard).map(([k, v]) => `tenantctl:quota:${k}=${v}`),
          `tenantctl:rate-limit:${tenant.tierSpec.requestsPerSecond}`,
        ].sort(),
      );
      const associations = json.where('aws_eks_access_policy_association', (a) => a.principal_arn === roleRef);
      expect(associations).toEqual([
        expect.objectContaining({
          policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy',
          access_scope: { type: 'namespace', namespaces: [`tenant-${id}`] },
        }),
      ]);
    },
  );

  test('THEN its stack signs the Kubernetes token with its own run role and binds its rights in its namespace before anything else', () => {
    const json = tenantJson[id];
    expect(json.json.provider.kubernetes[0].exec[0].args).not.toContain('--role-arn');
    const bindingId = json.idOf('kubernetes_role_binding_v1', (b) => b.metadata.name === 'tenantctl-deployer');
    const binding = json.resources('kubernetes_role_binding_v1')[bindingId];
    expect(binding).toMatchObject({
      role_ref: { api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenantctl:tenant-deployer' },
      subject: [{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: `tenantctl:tenant:${id}` }],
    });
    for (const [type, all] of Object.entries(json.json.resource)) {
      if (!type.startsWith('kubernetes_') || type === 'kubernetes_namespace_v1') continue;
      for (const [rid, r] of Object.entries(all as Record<string, any>)) {
        if (rid !== bindingId) expect(r.depends_on).toContain(`kubernetes_role_binding_v1.${bindingId}`);
      }
    }
  });

  test('THEN every Kubernetes object its stack manages is allowed to its pipeline, and only by name where it sits outside its namespace', () => {
    const json = tenantJson[id].json;
    const namespaced = [
      ...TENANT_ADMIN_RULES,
      ...TENANT_NAMESPACE_KINDS.map((k) => ({ apiGroups: [k.apiGroup], resources: k.resources, verbs: MANAGE })),
    ];
    const covers = (rules: readonly { apiGroups?: string[]; resources?: readonly string[]; verbs: string[] }[], group: string, resource: string) =>
      rules.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && MANAGE.every((v) => r.verbs.includes(v)));
    const shared = Object.fromEntries(Object.entries(TENANT_SHARED_NAMESPACE_KINDS).map(([key, kinds]) => [platformSpecNamespace(key), kinds]));
    const objects = kubernetesObjects(json);
    expect(objects.length).toBeGreaterThan(20);
    for (const o of objects) {
      if (o.resource === 'namespaces') {
        expect(o.name).toBe(`tenant-${id}`);
        continue;
      }
      if (o.namespace === `tenant-${id}`) {
        expect({ o, covered: covers(namespaced, o.group, o.resource) }).toEqual({ o, covered: true });
        continue;
      }
      const kinds = shared[o.namespace];
      expect({ o, shared: kinds !== undefined }).toEqual({ o, shared: true });
      expect({ o, covered: kinds.some((k: any) => k.apiGroup === o.group && k.resources.includes(o.resource)) }).toEqual({ o, covered: true });
      // The admission policy's name patterns, as regular expressions.
      const allowed: Record<string, RegExp> = {
        'tenantctl-provisioning': new RegExp(`^db-provision-tenant-${id}-[0-9a-f]{${SQL_JOB_HASH_LENGTH}}$`),
        monitoring: new RegExp(`^tenant-${id}-dashboard$`),
        ratelimit: new RegExp(`^tenant-${id}$`),
      };
      expect(o.name).toMatch(allowed[o.namespace]);
    }
  });
  test("THEN admission admits every object its stack writes to its own pipeline, and none it checks to another tenant's", () => {
    const spec = withoutPodTemplateChecks(admissionPolicySpec(platform));
    const other = tenants.find((t) => t.id !== id)!;
    for (const o of kubernetesObjects(tenantJson[id].json)) {
      for (const operation of ['CREATE', 'UPDATE'] as const) {
        expect({ o: o.name, operation, admitted: admits(spec, requestFor(o, operation, tenant)) }).toEqual({ o: o.name, operation, admitted: true });
      }
      const checked = spec.matchConstraints && (spec.matchConstraints as any).resourceRules.some((r: any) => r.resources.includes(o.resource));
      if (checked) expect({ o: o.name, admitted: admits(spec, requestFor(o, 'CREATE', other)) }).toEqual({ o: o.name, admitted: false });
    }
  });
});

/**
 * The policy without its checks of a Job's spec: they read the API object, which the provider's
 * typed Job only approximates (integers as strings, unresolved references), so this suite cannot
 * evaluate them on synthesized Jobs (the admission engine, `npm run test:engines`, does, on the Jobs in
 * API shape). Every other check runs, the Jobs' names included.
 */
function withoutPodTemplateChecks(spec: Record<string, unknown>): any {
  const readsJobSpec = (e: string) => e.includes('object.spec.template.spec') || e.includes("request.resource.resource != 'jobs'");
  const validations = (spec.validations as { expression: string }[]).filter((v) => !readsJobSpec(v.expression));
  return { ...spec, validations };
}

/** The Kubernetes groups of an active tenant's pipeline: the deployers, its tenant, its entitlements. */
function pipelineGroups(tenant: TenantSpec): string[] {
  return [
    'tenantctl:tenant-deployers',
    `tenantctl:tenant:${tenant.id}`,
    ...tenantEntitlementGroups(platformNames(platform), tenant.tier, tenant.tierSpec),
  ];
}

/** The groups of a removed tenant's pipeline: no entitlements. */
function removedGroups(tenant: TenantSpec): string[] {
  return ['tenantctl:tenant-deployers', `tenantctl:tenant:${tenant.id}`];
}

/** The admission request of a tenant's pipeline writing an object. */
function requestFor(
  o: KubernetesObject,
  operation: AdmissionRequest['operation'],
  tenant: TenantSpec,
  object: any = o.body,
  groups = pipelineGroups(tenant),
): AdmissionRequest {
  return { operation, group: o.group, resource: o.resource, namespace: o.namespace, name: o.name, groups, object };
}

/** Namespace of a shared namespace key (the admission policy names them the same way). */
function platformSpecNamespace(key: string): string {
  return (
    { tenantProvisioning: 'tenantctl-provisioning', monitoring: 'monitoring', rateLimit: 'ratelimit', platform: 'tenantctl-system' } as Record<
      string,
      string
    >
  )[key];
}

interface KubernetesObject {
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  /** The object as the API server sees the fields admission reads (typed resources: metadata, a Job's service account). */
  readonly body: any;
}

/** Every Kubernetes object of a synthesized tenant stack, namespace references resolved to the tenant's. */
function kubernetesObjects(json: any): KubernetesObject[] {
  const nsName = (value: string) =>
    value.startsWith('${kubernetes_namespace_v1.')
      ? Object.values(json.resource.kubernetes_namespace_v1 as Record<string, any>)[0].metadata.name
      : value;
  const out: KubernetesObject[] = [];
  for (const [type, all] of Object.entries(json.resource as Record<string, Record<string, any>>)) {
    if (!type.startsWith('kubernetes_')) continue;
    for (const r of Object.values(all)) {
      if (type === 'kubernetes_manifest') {
        const m = r.manifest;
        const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
        const namespace = nsName(m.metadata.namespace ?? '');
        out.push({ group, resource: plural(m.kind), namespace, name: m.metadata.name, body: { ...m, metadata: { ...m.metadata, namespace } } });
        continue;
      }
      const typed = TYPED[type];
      if (!typed) throw new Error(`no API group and resource known for ${type}: add it to TYPED`);
      const namespace = nsName(r.metadata.namespace ?? '');
      // What admission reads here: the metadata, a ConfigMap's data and a ResourceQuota's spec (see withoutPodTemplateChecks).
      const body = {
        metadata: { ...r.metadata, namespace },
        ...(r.data ? { data: r.data } : {}),
        ...(type === 'kubernetes_resource_quota_v1' ? { spec: { hard: r.spec.hard } } : {}),
      };
      out.push({ group: typed[0], resource: typed[1], namespace, name: r.metadata.name, body });
    }
  }
  return out;
}

describe('GIVEN the cluster stack under Terraform Cloud', () => {
  const json = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));
  const roles = json.resources('kubernetes_cluster_role_v1');
  const roleNamed = (name: string) => Object.values(roles).find((r: any) => r.metadata.name === name);

  test('THEN tenant pipelines may bind only the tenant deployer role, and manage namespaces (admission checks which)', () => {
    expect((roleNamed('tenantctl:tenant-deployers') as any).rule).toEqual([
      { api_groups: [''], resources: ['namespaces'], verbs: MANAGE },
      {
        api_groups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        verbs: ['bind'],
        resource_names: [
          `\${kubernetes_cluster_role_v1.${json.idOf('kubernetes_cluster_role_v1', (r) => r.metadata.name === 'tenantctl:tenant-deployer')}.metadata[0].name}`,
        ],
      },
    ]);
    const bindings = Object.values(json.resources('kubernetes_cluster_role_binding_v1')).filter((b: any) =>
      b.subject.some((s: any) => s.name.startsWith('tenantctl:')),
    );
    expect(bindings).toEqual([
      expect.objectContaining({ subject: [{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: 'tenantctl:tenant-deployers' }] }),
    ]);
  });

  test('THEN in shared namespaces they get exactly the kinds tenant stacks keep there, the platform namespace only while purging', () => {
    const bindings = Object.values(json.resources('kubernetes_role_binding_v1')).filter(
      (b: any) => b.metadata.name === 'tenantctl:tenant-deployers',
    ) as any[];
    expect(bindings.map((b) => [b.metadata.namespace, b.subject[0].name]).sort()).toEqual([
      ['monitoring', 'tenantctl:tenant-deployers'],
      ['ratelimit', 'tenantctl:tenant-deployers'],
      ['tenantctl-provisioning', 'tenantctl:tenant-deployers'],
      ['tenantctl-system', 'tenantctl:tenant-purgers'],
    ]);
  });

  test('THEN an admission policy in the API server pins every write of a tenant pipeline to its own names', () => {
    const manifests = Object.values(json.resources('kubernetes_manifest')).map((m: any) => m.manifest);
    const policy = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name === 'tenantctl-tenant-deployers');
    expect(policy.spec).toEqual(admissionPolicySpec(platform));
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConditions).toEqual([
      { name: 'tenant-pipelines-only', expression: "'tenantctl:tenant-deployers' in request.userInfo.groups" },
    ]);
    const expressions = policy.spec.validations.map((v: any) => v.expression).join('\n');
    expect(expressions).toContain("request.name == 'tenant-' + variables.tenant + ''");
    expect(expressions).toContain(
      `request.name.matches('^' + 'db-provision-tenant-' + variables.tenant + '' + '-[0-9a-f]{${SQL_JOB_HASH_LENGTH}}$')`,
    );
    expect(expressions).toContain("== 'tenant-provisioner'");
    expect(expressions).toContain("'pod-security.kubernetes.io/enforce'");
    expect(manifests.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding' && m.metadata.name === 'tenantctl-tenant-deployers').spec).toEqual({
      policyName: 'tenantctl-tenant-deployers',
      validationActions: ['Deny'],
    });
    expect(expressions).toContain("request.namespace != 'ratelimit' || request.name == 'tenant-' + variables.tenant + ''");
  });

  test('THEN the tenant provisioning namespace holds only the provisioner identity, which may connect as the tenant provisioner only', () => {
    const ns = json.where('kubernetes_namespace_v1', (n) => n.metadata.name === 'tenantctl-provisioning');
    expect(ns).toHaveLength(1);
    expect(ns[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const accounts = json.where('kubernetes_service_account_v1', (a) => a.metadata.namespace.includes('tenant-provisioning'));
    expect(accounts.map((a) => a.metadata.name)).toEqual(['tenant-provisioner']);
    const policy = json.where('aws_iam_role_policy', (p) => p.name === 'acme-prod-db-tenant-provisioner')[0].policy as string;
    expect(policy).toContain('/tenantctl_provisioner"');
    expect(policy).not.toContain('tenantctl_admin');
  });

  test('THEN nothing in it depends on the tenants: the same stack for any tenant count', () => {
    expect(JSON.stringify(json.json)).not.toMatch(/alpha|bravo|delta-one/);
  });
});

test('GIVEN a tenant removed with --purge-data THEN only its access entry gains the purge group, for the one apply that purges', () => {
  const removed = resolveTenant(
    tenantSchema.parse({ version: 1, id: 'charlie', tier: 'starter', status: 'removed', purgeData: true }),
    platform,
    tiers,
    'charlie.json',
  );
  const withPurge: Project = { ...project, tenants: tenants.map((t) => (t.id === 'charlie' ? removed : t)) };
  const json = SynthJson.parse(Testing.synth(new BootstrapStack(Testing.app(), { project: withPurge, accountName: 'platform' })));
  const groups = Object.values(json.resources('aws_eks_access_entry')).map((e: any) => e.kubernetes_groups);
  // A removed tenant claims no tier or quota: its stack may take its objects down, not provision.
  expect(groups.filter((g) => g.includes('tenantctl:tenant-purgers'))).toEqual([
    ['tenantctl:tenant-deployers', 'tenantctl:tenant:charlie', 'tenantctl:tenant-purgers'],
  ]);
  expect(projectStacks(withPurge).filter((s) => s.kind === 'tenant')).toHaveLength(tenants.length);
});

describe.each([
  ['without a domain', platform],
  ['with a domain', platformSpec({ ...tfc, domain: 'saas.example.com' } as Partial<PlatformConfig>)],
])('GIVEN the tenant deployer admission policy %s', (_what, p) => {
  const spec = withoutPodTemplateChecks(admissionPolicySpec(p));
  const tenant = resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'enterprise' }), p, tiers, 'acme.json');
  const objects = kubernetesObjects(SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform: p, tenant }))).json);
  const byKind = (kind: string) => objects.find((o) => o.body.kind === kind)!;
  const namespace = objects.find((o) => o.resource === 'namespaces')!;
  /** Whether the tenant's pipeline may write its own object of this kind changed by `edit`. */
  const admitsEdited = (o: KubernetesObject, edit: (body: any) => void) => {
    const body = JSON.parse(JSON.stringify(o.body));
    edit(body);
    return admits(spec, requestFor(o, 'UPDATE', tenant, body));
  };
  const vs = () => byKind('VirtualService');
  const route = (body: any) => body.spec.http.find((h: any) => h.route);

  test('THEN it checks writes of the Istio kinds that reach past the namespace, and the pipeline may still delete them', () => {
    expect((spec.matchConstraints as any).resourceRules).toContainEqual({
      apiGroups: ['networking.istio.io'],
      apiVersions: ['*'],
      operations: ['CREATE', 'UPDATE'],
      resources: ['virtualservices', 'destinationrules', 'serviceentries', 'envoyfilters'],
    });
    for (const kind of ['VirtualService', 'DestinationRule', 'ServiceEntry', 'EnvoyFilter'])
      expect(admits(spec, requestFor(byKind(kind), 'DELETE', tenant, null))).toBe(true);
  });

  test("THEN the tenant's own objects are admitted unchanged", () => {
    for (const o of objects) expect({ o: o.name, admitted: admits(spec, requestFor(o, 'CREATE', tenant)) }).toEqual({ o: o.name, admitted: true });
  });

  test('THEN its alert rules are admitted in its namespace only, not in the monitoring namespace where Prometheus would not confine them', () => {
    const rules = byKind('PrometheusRule');
    expect(rules.namespace).toBe('tenant-acme');
    expect(admits(spec, requestFor({ ...rules, namespace: 'monitoring' }, 'CREATE', tenant))).toBe(false);
  });

  test.each([
    ['without sidecar injection', (b: any) => delete b.metadata.labels['istio-injection']],
    ['with sidecar injection disabled', (b: any) => (b.metadata.labels['istio-injection'] = 'disabled')],
    ['with Pod Security pinned to an old version', (b: any) => (b.metadata.labels['pod-security.kubernetes.io/enforce-version'] = 'v1.22')],
    ['with Pod Security privileged', (b: any) => (b.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged')],
    ['without the Pod Security audit label', (b: any) => delete b.metadata.labels['pod-security.kubernetes.io/audit']],
    ['labelled for another tenant', (b: any) => (b.metadata.labels['tenantctl.io/tenant'] = 'globex')],
  ])('THEN its namespace is denied %s', (_case, edit) => {
    expect(admitsEdited(namespace, edit)).toBe(false);
  });

  test("THEN its namespace is denied another tier's label, and deleting it while the tenant is active", () => {
    expect(admitsEdited(namespace, (b) => (b.metadata.labels['tenantctl.io/tier'] = 'starter'))).toBe(false);
    expect(admits(spec, requestFor(namespace, 'DELETE', tenant, null))).toBe(false);
    // Removed: its pipeline carries no entitlement and takes the namespace down.
    expect(admits(spec, requestFor(namespace, 'DELETE', tenant, null, removedGroups(tenant)))).toBe(true);
  });

  test('THEN its rate limit descriptor is admitted at its entitled rate only', () => {
    const descriptor = objects.find((o) => o.namespace === 'ratelimit')!;
    const [file] = Object.keys(descriptor.body.data);
    const rate = (n: number) => (b: any) => (b.data[file] = b.data[file].replace(/"requests_per_unit":\d+/, `"requests_per_unit":${n}`));
    expect(admits(spec, requestFor(descriptor, 'UPDATE', tenant))).toBe(true);
    expect(admitsEdited(descriptor, rate(tenant.tierSpec.requestsPerSecond))).toBe(true);
    expect(admitsEdited(descriptor, rate(tenant.tierSpec.requestsPerSecond * 1000))).toBe(false);
    expect(admitsEdited(descriptor, (b) => (b.data['other.yaml'] = b.data[file]))).toBe(false);
  });

  describe('THEN its ResourceQuota', () => {
    const quota = () => objects.find((o) => o.resource === 'resourcequotas')!;
    const hard = (edit: (h: Record<string, string>) => void) => (b: any) => edit(b.spec.hard);

    test('is admitted as its stack writes it, and with the same quantities written otherwise', () => {
      expect(admits(spec, requestFor(quota(), 'UPDATE', tenant))).toBe(true);
      expect(
        admitsEdited(
          quota(),
          hard((h) => ((h['requests.cpu'] = '16000m'), (h['requests.memory'] = '32768Mi'))),
        ),
      ).toBe(true);
    });

    test.each([
      ['with more CPU than entitled', hard((h) => (h['requests.cpu'] = '17'))],
      ['with a higher limit', hard((h) => (h['limits.memory'] = '81Gi'))],
      ['with more pods', hard((h) => (h.pods = '101'))],
      ['with load balancers', hard((h) => (h['services.loadbalancers'] = '1'))],
      ['without a limit', hard((h) => delete h['limits.cpu'])],
      ['with a limit it is not entitled to', hard((h) => (h['count/deployments.apps'] = '1000'))],
      [
        'scoped to a priority class (unbounded elsewhere)',
        (b: any) => (b.spec.scopeSelector = { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['tenant-enterprise'] }] }),
      ],
      ['scoped to terminating pods', (b: any) => (b.spec.scopes = ['Terminating'])],
    ])('is denied %s', (_case, edit) => {
      expect(admitsEdited(quota(), edit)).toBe(false);
    });

    test('is denied under another name, and deleting it while the tenant is active; a removed tenant deletes it', () => {
      expect(admits(spec, requestFor({ ...quota(), name: 'extra-quota' }, 'CREATE', tenant))).toBe(false);
      expect(admits(spec, requestFor(quota(), 'DELETE', tenant, null))).toBe(false);
      expect(admits(spec, requestFor(quota(), 'DELETE', tenant, null, removedGroups(tenant)))).toBe(true);
    });

    test('is denied to a pipeline entitled to another tier (a standard tenant writing the enterprise quota)', () => {
      const standard = resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'standard' }), p, tiers, 'acme.json');
      expect(admits(spec, requestFor(quota(), 'UPDATE', standard))).toBe(false);
      expect(admits(spec, requestFor(namespace, 'UPDATE', standard))).toBe(false);
    });
  });

  test.each([
    ['on the mesh gateway', (b: any) => (b.spec.gateways = ['mesh'])],
    ['on the tenant gateway and the mesh', (b: any) => b.spec.gateways.push('mesh')],
    ['on no gateway (the mesh)', (b: any) => delete b.spec.gateways],
    ['on another gateway', (b: any) => (b.spec.gateways = ['istio-system/platform-gateway'])],
    ["for another tenant's host", (b: any) => (b.spec.hosts = ['globex.saas.example.com'])],
    ['for a second host', (b: any) => b.spec.hosts.push('grafana.saas.example.com')],
    ['routing to Grafana', (b: any) => (route(b).route[0].destination.host = 'grafana.monitoring.svc.cluster.local')],
    ["routing to another tenant's Service", (b: any) => (route(b).route[0].destination.host = 'gateway.tenant-globex.svc.cluster.local')],
    ['routing to a name of another namespace', (b: any) => (route(b).route[0].destination.host = 'prometheus.monitoring')],
    [
      'routing to a host that only ends like its own',
      (b: any) => (route(b).route[0].destination.host = 'grafana.monitoring.svc.cluster.local.tenant-acme.svc.cluster.local'),
    ],
    ['mirroring to another namespace', (b: any) => (route(b).mirror = { host: 'gateway.tenant-globex.svc.cluster.local' })],
    ['delegating', (b: any) => (route(b).delegate = { name: 'grafana', namespace: 'monitoring' })],
    [
      'with a TLS route',
      (b: any) => (b.spec.tls = [{ match: [{ sniHosts: ['grafana.saas.example.com'] }], route: [{ destination: { host: 'gateway' } }] }]),
    ],
    ['with a TCP route', (b: any) => (b.spec.tcp = [{ route: [{ destination: { host: 'gateway' } }] }])],
    // One destination per tenant: the gateway's limit counts per destination cluster.
    ['routing to another Service of its own namespace', (b: any) => (route(b).route[0].destination.host = 'billing.tenant-acme.svc.cluster.local')],
    ['routing to a subset of its entry Service', (b: any) => (route(b).route[0].destination.subset = 'v2')],
    ['routing to another port of its entry Service', (b: any) => (route(b).route[0].destination.port = { number: 9090 })],
  ])('THEN a VirtualService is denied %s', (_case, edit) => {
    expect(admitsEdited(vs(), edit)).toBe(false);
  });

  test.each([
    ['by short name', 'gateway'],
    ['by full name', 'gateway.tenant-acme.svc.cluster.local'],
  ])('THEN a VirtualService may route to its entry Service %s', (_case, host) => {
    expect(admitsEdited(vs(), (b) => (route(b).route[0].destination.host = host))).toBe(true);
  });

  if (!p.domain) {
    test.each([
      ['a route without a match', (b: any) => delete route(b).match],
      ["another tenant's path prefix", (b: any) => (route(b).match = [{ uri: { prefix: '/globex/' } }])],
      ['a prefix that only starts like its own', (b: any) => (route(b).match = [{ uri: { prefix: '/acme' } }])],
      ['a regex match', (b: any) => (route(b).match = [{ uri: { regex: '.*' } }])],
      ['a header match only', (b: any) => (route(b).match = [{ headers: { host: { exact: 'grafana' } } }])],
      ['a named host', (b: any) => (b.spec.hosts = ['grafana.example.com'])],
    ])('THEN a VirtualService on the shared host is denied %s', (_case, edit) => {
      expect(admitsEdited(vs(), edit)).toBe(false);
    });
  }

  test.each([
    ['for every host', '*'],
    ["for another tenant's Services", '*.tenant-globex.svc.cluster.local'],
    ['for Grafana', 'grafana.monitoring.svc.cluster.local'],
    ['for a wildcard of another namespace', '*.svc.cluster.local'],
  ])('THEN a DestinationRule is denied %s', (_case, host) => {
    expect(admitsEdited(byKind('DestinationRule'), (b) => (b.spec.host = host))).toBe(false);
  });

  test.each([
    ['exported to every namespace', (b: any) => (b.spec.exportTo = ['*'])],
    ['exported to another namespace too', (b: any) => b.spec.exportTo.push('tenant-globex')],
    ['exported by default (everywhere)', (b: any) => delete b.spec.exportTo],
  ])('THEN a ServiceEntry is denied %s', (_case, edit) => {
    expect(admitsEdited(byKind('ServiceEntry'), edit)).toBe(false);
  });

  test.each([
    ['removing a filter', (b: any) => (b.spec.configPatches[0].patch = { operation: 'REMOVE' })],
    ['inserting another filter', (b: any) => (b.spec.configPatches[0].patch.value.name = 'envoy.filters.http.lua')],
    ['patching the outbound listeners', (b: any) => (b.spec.configPatches[0].match.context = 'SIDECAR_OUTBOUND')],
    ['patching clusters', (b: any) => (b.spec.configPatches[0].applyTo = 'CLUSTER')],
    [
      'with a second patch',
      (b: any) => b.spec.configPatches.push({ applyTo: 'NETWORK_FILTER', match: { context: 'ANY' }, patch: { operation: 'REMOVE' } }),
    ],
  ])('THEN an EnvoyFilter is denied %s', (_case, edit) => {
    expect(admitsEdited(byKind('EnvoyFilter'), edit)).toBe(false);
  });
});
