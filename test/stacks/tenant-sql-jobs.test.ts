import { Testing } from 'cdktf';
import { resolveTenant, type Project, type TenantSpec } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { PROVISIONER_CONCURRENCY, renderPlatformSql, renderTenantDropSql, renderTenantSql } from '../../src/database/sql';
import { runRules } from '../../src/policy/engine';
import { databaseJobRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { ClusterStack } from '../../stacks/cluster-stack';
import { SQL_FILE, SQL_JOB_IMAGES } from '../../stacks/constructs/database/sql-job';
import { celTemplate, proxyEndpointPattern, tenantSqlJobValidations } from '../../stacks/constructs/kubernetes/sql-job-admission';
import { admissionPolicySpec } from '../../stacks/constructs/kubernetes/tenant-deployer-access';
import { RemovedTenantStack } from '../../stacks/removed-tenant-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec, SynthJson } from '../util';
import { admits } from '../cel';
import { platformNames } from '../../src/model/names';
import { tenantEntitlementGroups } from '../../src/model/tenant-quota';

/**
 * The tenant SQL Jobs (provisioning and purge): who they run as, what admission pins of them for
 * tenant pipelines, and the validate rule that checks the same before an apply.
 */

const platform = platformSpec();
const tiers = resolveTiers();
const tenant = (id: string, tier: string, extra: object = {}): TenantSpec =>
  resolveTenant(tenantSchema.parse({ version: 1, id, tier, ...extra }), platform, tiers, `tenants/${id}.json`);
const acme = tenant('acme', 'enterprise');
const gone = tenant('gone', 'starter', { status: 'removed', purgeData: true });
const project: Project = { dir: '/project', platform, tiers, tenants: [acme, gone] };

describe('GIVEN a tenant and a removed tenant purged of its data', () => {
  const tenantJson = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: acme })));
  const removedJson = SynthJson.parse(Testing.synth(new RemovedTenantStack(Testing.app(), { platform, tenant: gone })));
  const clusterJson = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));

  test('THEN the provisioning Job runs as the tenant provisioner and its SQL names only the tenant and its tier', () => {
    const job = tenantJson.one('kubernetes_job_v1');
    expect(job.metadata.namespace).toBe('tenantctl-provisioning');
    expect(job.spec.template.spec.service_account_name).toBe('tenant-provisioner');
    expect(job.spec.template.spec.init_container[0].env[1]).toEqual({ name: 'DB_USER', value: 'tenantctl_provisioner' });
    const config = tenantJson.where('kubernetes_config_map_v1', (c) => c.metadata.name === job.metadata.name)[0];
    expect(config.data).toEqual({ 'provision.sql': renderTenantSql(platform, acme) });
    expect(config.data['provision.sql']).toContain("SELECT shared.provision_tenant('acme', 'enterprise');");
  });

  test('THEN the purge Job runs as the tenant purger, never the master user, and only calls shared.purge_tenant', () => {
    const job = removedJson.one('kubernetes_job_v1');
    expect(job.metadata.namespace).toBe('tenantctl-system');
    expect(job.spec.template.spec.service_account_name).toBe('tenant-purger');
    const users = [...job.spec.template.spec.init_container, ...job.spec.template.spec.container].flatMap((c: any) =>
      c.env.filter((e: any) => e.name === 'DB_USER' || e.name === 'DB_CONNINFO'),
    );
    expect(users.map((e: any) => e.value.match(/(?:^|user=)(tenantctl_\w+)/)?.[1])).toEqual(['tenantctl_purger', 'tenantctl_purger']);
    const config = removedJson.where('kubernetes_config_map_v1', (c) => c.metadata.name === job.metadata.name)[0];
    expect(config.data['provision.sql']).toBe(renderTenantDropSql(platform, gone));
    expect(config.data['provision.sql']).toContain("SELECT shared.purge_tenant('gone');");
    expect(config.data['provision.sql']).not.toMatch(/DROP|DELETE/);
  });

  test('THEN the cluster stack gives the purger its own IRSA role, limited to connecting as tenantctl_purger, and service account', () => {
    const [roleId] = Object.entries(clusterJson.resources('aws_iam_role')).find(([, r]: [string, any]) => r.name === 'acme-prod-db-tenant-purger')!;
    const role = clusterJson.resources('aws_iam_role')[roleId] as any;
    expect(role.assume_role_policy).toContain(':sub":"system:serviceaccount:tenantctl-system:tenant-purger"');
    const policies = clusterJson.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`);
    expect(policies).toHaveLength(1);
    expect(policies[0].policy).toBe(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ConnectAsTenantPurgerThroughProxy',
            Effect: 'Allow',
            Action: ['rds-db:connect'],
            Resource: ['arn:aws:rds-db:eu-west-1:111122223333:dbuser:PROXY/tenantctl_purger'],
          },
        ],
      }).replace('PROXY', '${element(split(":", data.aws_db_proxy.db-proxy.arn), 6)}'),
    );
    const sa = clusterJson.where('kubernetes_service_account_v1', (s) => s.metadata.name === 'tenant-purger')[0];
    expect(sa.metadata.namespace).toBe('tenantctl-system');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\./);
  });
});

describe('GIVEN the tenant provisioning namespace', () => {
  const clusterJson = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));

  test('THEN at most as many Pods run there at platform priority as the provisioner has connections', () => {
    const quotas = clusterJson.where('kubernetes_resource_quota_v1', (q) => q.metadata.name === 'platform-priority');
    expect(quotas[0]?.metadata.namespace).toBe(
      `\${kubernetes_namespace_v1.${clusterJson.idOf('kubernetes_namespace_v1', (n) => n.metadata.name === 'tenantctl-provisioning')}.metadata[0].name}`,
    );
    expect(quotas.map((q) => q.spec)).toEqual([
      {
        hard: { pods: String(PROVISIONER_CONCURRENCY) },
        scope_selector: { match_expression: [{ scope_name: 'PriorityClass', operator: 'In', values: ['tenantctl-platform'] }] },
      },
    ]);
    expect(renderPlatformSql(platform)).toContain(`PASSWORD NULL CONNECTION LIMIT ${PROVISIONER_CONCURRENCY};`);
  });
});

describe('GIVEN the admission policy of tenant pipelines', () => {
  const validations = admissionPolicySpec(platform).validations as { expression: string; message: string }[];
  const pinned = tenantSqlJobValidations(platform, () => '');

  test('THEN it pins both kinds of tenant SQL Jobs and their ConfigMaps, in their own namespaces', () => {
    const messages = validations.map((v) => v.message);
    for (const what of ['tenant provisioning', 'tenant purge']) {
      expect(messages).toEqual(
        expect.arrayContaining([
          `${what} Jobs run one Pod at a time, with tenantctl's retries and deadline`,
          `${what} Jobs run tenantctl's images, commands, environment and resources against the platform's database proxy`,
          `${what} Jobs mount only their own SQL ConfigMap (named like the Job) and scratch space`,
          `${what} SQL is what tenantctl renders for the tenant`,
        ]),
      );
    }
    expect(messages).toContain(
      "tenant provisioning Jobs run as tenant-provisioner on the system nodes at tenantctl's priority, without host namespaces",
    );
    expect(messages).toContain("tenant purge Jobs run as tenant-purger on the system nodes at tenantctl's priority, without host namespaces");
    expect(pinned).toHaveLength(10);
    expect(validations.filter((v) => v.expression.includes("'tenantctl-provisioning' || request.resource.resource != 'jobs'"))).toHaveLength(4);
    expect(validations.filter((v) => v.expression.includes("'tenantctl-system' || request.resource.resource != 'jobs'"))).toHaveLength(4);
  });

  test('THEN the Job checks name the images, the service accounts, one Pod and the SQL ConfigMap named like the Job', () => {
    const all = validations.map((v) => v.expression).join('\n');
    expect(all).toContain(`.image == "${SQL_JOB_IMAGES.awsCli}"`);
    expect(all).toContain(`.image == "${SQL_JOB_IMAGES.psql}"`);
    expect(all).toContain("object.spec.template.spec.serviceAccountName == 'tenant-provisioner'");
    expect(all).toContain("object.spec.template.spec.serviceAccountName == 'tenant-purger'");
    expect(all).toContain('(has(object.spec.parallelism) ? object.spec.parallelism : 1) == 1');
    expect(all).toContain("object.spec.template.spec.priorityClassName == 'tenantctl-platform'");
    expect(all).toContain('v.configMap.name == object.metadata.name && !has(v.configMap.items)');
    expect(all).not.toContain('db-provisioner');
  });

  test("THEN the provisioning ConfigMap holds the SQL of the pipeline's entitled tier for its own tenant, the purge ConfigMap only its purge", () => {
    const spec = admissionPolicySpec(platform);
    const names = platformNames(platform);
    const configMap = (namespace: string, name: string, sql: string, groups: string[]) =>
      admits(spec, {
        operation: 'CREATE',
        group: '',
        resource: 'configmaps',
        namespace,
        name,
        groups,
        object: { metadata: { name, namespace }, data: { [SQL_FILE]: sql } },
      });
    const provisioning = (tier: string, sql: string) =>
      configMap('tenantctl-provisioning', 'db-provision-tenant-acme-0123456789', sql, [
        'tenantctl:tenant-deployers',
        'tenantctl:tenant:acme',
        ...tenantEntitlementGroups(names, tier, tiers[tier]),
      ]);
    for (const tier of Object.keys(tiers)) {
      for (const sqlTier of Object.keys(tiers)) {
        expect({ tier, sqlTier, admitted: provisioning(tier, renderTenantSql(platform, { id: 'acme', tier: sqlTier })) }).toEqual({
          tier,
          sqlTier,
          admitted: tier === sqlTier,
        });
      }
    }
    expect(provisioning('enterprise', renderTenantSql(platform, { id: 'globex', tier: 'enterprise' }))).toBe(false);
    // A removed tenant's pipeline (no tier) provisions nothing, and purges only with the purge group, its own data.
    const removed = ['tenantctl:tenant-deployers', 'tenantctl:tenant:gone'];
    expect(
      configMap('tenantctl-provisioning', 'db-provision-tenant-gone-0123456789', renderTenantSql(platform, { id: 'gone', tier: 'starter' }), removed),
    ).toBe(false);
    expect(
      configMap('tenantctl-system', 'db-purge-tenant-gone-0123456789', renderTenantDropSql(platform, gone), [...removed, 'tenantctl:tenant-purgers']),
    ).toBe(true);
    expect(
      configMap('tenantctl-system', 'db-purge-tenant-gone-0123456789', renderTenantDropSql(platform, acme), [...removed, 'tenantctl:tenant-purgers']),
    ).toBe(false);
    expect(configMap('tenantctl-system', 'db-purge-tenant-gone-0123456789', renderTenantDropSql(platform, gone), removed)).toBe(false);
  });

  test('THEN the database host must be the platform proxy', () => {
    const pattern = new RegExp(proxyEndpointPattern('acme-prod-proxy', 'eu-west-1'));
    expect(pattern.test('acme-prod-proxy.proxy-c1a2b3d4e5f6.eu-west-1.rds.amazonaws.com')).toBe(true);
    expect(pattern.test('acme-prod-proxyXproxy-c1a2b3d4e5f6.eu-west-1.rds.amazonaws.com')).toBe(false);
    expect(pattern.test('evil.example.com')).toBe(false);
    expect(pattern.test('acme-prod-proxy.proxy-c1a2b3d4e5f6.eu-west-1.rds.amazonaws.com.evil.example.com')).toBe(false);
  });

  test('THEN placeholders become CEL expressions and everything else string literals', () => {
    expect(celTemplate('host=HOSTX port=1 app=NAMEX', { HOSTX: 'variables.host', NAMEX: '(n)' })).toBe(
      '"host=" + variables.host + " port=1 app=" + (n)',
    );
    expect(celTemplate('say "hi"\n', {})).toBe('"say \\"hi\\"\\n"');
  });
});

describe('GIVEN tenantctl validate (TC-DBJ-001) over the tenant stacks', () => {
  const synth = (stack: TenantStack | RemovedTenantStack, name: string): StackDocument => ({ name, json: JSON.parse(Testing.synth(stack)) });
  const pristine = [
    synth(new TenantStack(Testing.app(), { platform, tenant: acme }), 'tenant-acme'),
    synth(new RemovedTenantStack(Testing.app(), { platform, tenant: gone }), 'tenant-gone'),
  ];
  const fresh = () => pristine.map((s) => ({ name: s.name, json: JSON.parse(JSON.stringify(s.json)) }));
  const findings = (stacks: StackDocument[]) => runRules({ stacks, project }, databaseJobRules).map((f) => `${f.stack}: ${f.message}`);
  const jobOf = (s: StackDocument) => Object.values(s.json.resource!.kubernetes_job_v1)[0] as any;
  const configOf = (s: StackDocument) =>
    Object.values(s.json.resource!.kubernetes_config_map_v1).find((c: any) => c.metadata.name === jobOf(s).metadata.name) as any;

  test('WHEN the stacks are as synthesized THEN nothing is found', () => {
    expect(findings(fresh())).toEqual([]);
  });

  test('WHEN the purge Job runs as the master identity THEN the rule names the service account and the user', () => {
    const stacks = fresh();
    const pod = jobOf(stacks[1]).spec.template.spec;
    pod.service_account_name = 'db-provisioner';
    pod.init_container[0].env[1].value = 'tenantctl_admin';
    expect(findings(stacks)).toEqual([
      'tenant-gone: the purge Job runs as service account db-provisioner, not tenant-purger',
      'tenant-gone: the purge Job logs in as tenantctl_admin, not tenantctl_purger',
    ]);
  });

  test("WHEN a provisioning ConfigMap holds other SQL (or another tier's) THEN the rule finds it", () => {
    const stacks = fresh();
    configOf(stacks[0]).data['provision.sql'] = "SELECT shared.provision_tenant('beta', 'starter');";
    expect(findings(stacks)).toEqual([
      `tenant-acme: the provisioning Job's ConfigMap ${jobOf(stacks[0]).metadata.name} does not hold the SQL tenantctl renders for tenant acme`,
    ]);
    configOf(stacks[0]).data['provision.sql'] = renderTenantSql(platform, { id: 'acme', tier: 'starter' });
    expect(findings(stacks)).toHaveLength(1);
  });
});
