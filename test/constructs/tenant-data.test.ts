import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { resolveTenant, type TenantSpec } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { renderPlatformSql, renderTenantSql } from '../../src/database/sql';
import { DatabaseProvisioner } from '../../stacks/constructs/database/database-provisioner';
import { SQL_JOB_IMAGES, SqlProvisioningJob, type SqlProvisioningJobProps } from '../../stacks/constructs/database/sql-job';
import { DedicatedNodes } from '../../stacks/constructs/tenant/dedicated-nodes';
import { TenantDatabase } from '../../stacks/constructs/tenant/tenant-database';
import { TenantIdentity } from '../../stacks/constructs/tenant/tenant-identity';
import { renderTenantDashboard, TenantObservability } from '../../stacks/constructs/tenant/tenant-observability';
import { TenantScheduling } from '../../stacks/constructs/tenant/tenant-scheduling';
import { platformSpec, SynthJson } from '../util';

const platform = platformSpec();
const tiers = resolveTiers();
const tenant = (id: string, tier: string): TenantSpec => resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `${id}.json`);
const acme = tenant('acme', 'enterprise');
const beta = tenant('beta', 'starter');

const OIDC_PROVIDER_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';
const OIDC_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';
const PROXY_RESOURCE_ID = 'prx-0123456789abcdef0';
const PROXY_ENDPOINT = 'acme-prod-proxy.proxy-abc.eu-west-1.rds.amazonaws.com';
const STS_ENDPOINT_CIDRS = ['10.0.128.10/32', '10.0.144.10/32', '10.0.160.10/32'];

function synth(build: (stack: Construct) => void): SynthJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  return SynthJson.parse(Testing.synth(stack));
}

/** Every IAM policy document attached to a role: inline blocks, role policies and attached managed policies. */
function policiesOf(json: SynthJson, roleName: string): any[] {
  const [roleId, role] = Object.entries(json.resources('aws_iam_role')).find(([, r]) => r.name === roleName) ?? [];
  if (!roleId) throw new Error(`no aws_iam_role named ${roleName}`);
  const refersToRole = (value: unknown) => typeof value === 'string' && (value === roleName || value.includes(`aws_iam_role.${roleId}.`));
  const docs = [
    ...(role.inline_policy ?? []).map((p: any) => p.policy),
    ...json.where('aws_iam_role_policy', (p) => refersToRole(p.role)).map((p) => p.policy),
    ...json
      .where('aws_iam_role_policy_attachment', (a) => refersToRole(a.role))
      .map((a) => Object.entries(json.resources('aws_iam_policy')).find(([id]) => a.policy_arn.includes(`aws_iam_policy.${id}.`))?.[1].policy),
  ];
  return docs.filter((d) => d !== undefined).map((d) => JSON.parse(d));
}

const statementsOf = (docs: any[]) => docs.flatMap((d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]));
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('SqlProvisioningJob', () => {
  const props: SqlProvisioningJobProps = {
    name: 'db-provision-test',
    namespace: 'tenantctl-system',
    serviceAccount: 'db-provisioner',
    sql: 'SELECT 1;',
    proxyEndpoint: PROXY_ENDPOINT,
    database: 'saas',
    dbUser: 'tenantctl_admin',
    region: 'eu-west-1',
  };
  const json = synth((stack) => new SqlProvisioningJob(stack, 'job', props));
  const job = json.one('kubernetes_job_v1');
  const pod = job.spec.template.spec;

  it('names the Job and its immutable ConfigMap after a hash of the SQL, in the given namespace', () => {
    expect(job.metadata.name).toMatch(/^db-provision-test-[0-9a-f]{10}$/);
    expect(job.metadata.namespace).toBe('tenantctl-system');
    const config = json.one('kubernetes_config_map_v1');
    expect(config.metadata).toMatchObject({ name: job.metadata.name, namespace: 'tenantctl-system' });
    expect(config.data).toEqual({ 'provision.sql': 'SELECT 1;' });
    expect(config.immutable).toBe(true);
  });

  it('changes the name when, and only when, the SQL changes', () => {
    const jobs = synth((stack) => {
      const endpoint = (id: string) => new TerraformVariable(stack, id, { type: 'string' }).stringValue;
      new SqlProvisioningJob(stack, 'a', { ...props, name: 'job-a', proxyEndpoint: endpoint('endpoint_a') });
      new SqlProvisioningJob(stack, 'b', { ...props, name: 'job-b', proxyEndpoint: endpoint('endpoint_b') });
      new SqlProvisioningJob(stack, 'c', { ...props, name: 'job-c', sql: 'SELECT 2;' });
    });
    const hashOf = (name: string) =>
      jobs.where('kubernetes_job_v1', (j) => j.metadata.name.startsWith(`${name}-`))[0].metadata.name.slice(name.length + 1);
    expect(hashOf('job-a')).toBe(hashOf('job-b'));
    expect(hashOf('job-c')).not.toBe(hashOf('job-a'));
    expect(SqlProvisioningJob.hash(props)).toBe(SqlProvisioningJob.hash({ ...props }));
    expect(SqlProvisioningJob.hash(props)).not.toBe(SqlProvisioningJob.hash({ ...props, sql: 'SELECT 1; ' }));
  });

  it('waits for completion and retries a few times', () => {
    expect(job.wait_for_completion).toBe(true);
    expect(job.spec.backoff_limit).toBe(3);
    expect(job.spec.active_deadline_seconds).toBeGreaterThan(0);
    expect(pod.restart_policy).toBe('Never');
  });

  it('runs with the IRSA service account, without an Istio sidecar', () => {
    expect(pod.service_account_name).toBe('db-provisioner');
    expect(pod.automount_service_account_token).toBe(true);
    expect(job.spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
  });

  it('runs on the tainted system nodes, away from tenant code (it holds database admin rights), at the platform priority', () => {
    expect(pod.node_selector).toEqual({ 'tenantctl.io/pool': 'system' });
    expect(pod.toleration).toEqual([{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }]);
    expect(pod.priority_class_name).toBe('tenantctl-platform');
  });

  it('meets the restricted pod security standard', () => {
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
    expect(Number(pod.security_context.run_as_user)).toBeGreaterThan(0);
    const containers = [...pod.init_container, ...pod.container];
    expect(containers).toHaveLength(2);
    for (const c of containers) {
      expect(c.security_context).toMatchObject({
        run_as_non_root: true,
        allow_privilege_escalation: false,
        privileged: false,
        read_only_root_filesystem: true,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('signs an IAM token for the master user at the proxy into memory, and applies the SQL over verified TLS', () => {
    const [init] = pod.init_container;
    const [psql] = pod.container;
    expect(init.image).toBe(SQL_JOB_IMAGES.awsCli);
    expect(init.image).toMatch(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/);
    expect(psql.image).toMatch(/^public\.ecr\.aws\/docker\/library\/postgres:17\.\d+-alpine$/);
    expect(init.args[0]).toContain(
      'aws rds generate-db-auth-token --hostname "$DB_HOST" --port 5432 --username "$DB_USER" --region "$AWS_REGION" > /run/db-auth/token',
    );
    expect(init.env).toEqual(
      expect.arrayContaining([
        { name: 'DB_HOST', value: PROXY_ENDPOINT },
        { name: 'DB_USER', value: 'tenantctl_admin' },
        { name: 'AWS_REGION', value: 'eu-west-1' },
      ]),
    );
    expect(psql.args[0]).toBe('PGPASSWORD="$(cat /run/db-auth/token)" exec psql "$DB_CONNINFO" --no-psqlrc -v ON_ERROR_STOP=1 -f /sql/provision.sql');
    expect(psql.env).toEqual([
      {
        name: 'DB_CONNINFO',
        value:
          `host=${PROXY_ENDPOINT} port=5432 dbname=saas user=tenantctl_admin sslmode=verify-full ` +
          `sslrootcert=/etc/ssl/certs/ca-certificates.crt connect_timeout=10 application_name=db-provision-test`,
      },
    ]);
    const volumes = Object.fromEntries(pod.volume.map((v: any) => [v.name, v]));
    expect(volumes['auth-token'].empty_dir).toMatchObject({ medium: 'Memory' });
    expect(volumes.sql.config_map.name).toMatch(/^\$\{kubernetes_config_map_v1\..*\.metadata\[0\]\.name\}$/);
  });

  it('refuses names that leave no room for the hash, and empty SQL', () => {
    const tooLong = { ...props, name: 'x'.repeat(53) };
    expect(() => synth((stack) => new SqlProvisioningJob(stack, 'job', tooLong))).toThrow(/at most 52 characters/);
    expect(() => synth((stack) => new SqlProvisioningJob(stack, 'job', { ...props, sql: '  ' }))).toThrow(/SQL is empty/);
  });
});

describe('DatabaseProvisioner', () => {
  const json = synth(
    (stack) =>
      new DatabaseProvisioner(stack, 'provisioner', {
        platform,
        oidcProviderArn: OIDC_PROVIDER_ARN,
        oidcIssuer: OIDC_ISSUER,
        proxyEndpoint: PROXY_ENDPOINT,
        proxyResourceId: PROXY_RESOURCE_ID,
        stsEndpointCidrs: STS_ENDPOINT_CIDRS,
      }),
  );

  it('binds the db-provisioner service account in tenantctl-system to its IRSA role', () => {
    // The other one is the tenant purger's (test/stacks/tenant-sql-jobs.test.ts).
    expect(
      json
        .where('kubernetes_service_account_v1', () => true)
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['db-provisioner', 'tenant-purger']);
    const [sa] = json.where('kubernetes_service_account_v1', (s) => s.metadata.name === 'db-provisioner');
    expect(sa.metadata).toMatchObject({ name: 'db-provisioner', namespace: 'tenantctl-system' });
    const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-db-provisioner');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(`\${aws_iam_role.${roleId}.arn}`);
    const trust = JSON.stringify(json.resources('aws_iam_role')[roleId].assume_role_policy);
    expect(trust).toContain('system:serviceaccount:tenantctl-system:db-provisioner');
  });

  it('lets the role connect only as the master user through the proxy', () => {
    const statements = statementsOf(policiesOf(json, 'acme-prod-db-provisioner'));
    expect(statements).toHaveLength(1);
    expect(asArray(statements[0].Action)).toEqual(['rds-db:connect']);
    expect(asArray(statements[0].Resource)).toEqual([`arn:aws:rds-db:eu-west-1:111122223333:dbuser:${PROXY_RESOURCE_ID}/tenantctl_admin`]);
  });

  it('denies all traffic in tenantctl-system except DNS, PostgreSQL to the database subnets and HTTPS to the STS endpoint', () => {
    const policies = Object.values(json.resources('kubernetes_network_policy_v1'));
    const deny = policies.find((p: any) => p.metadata.name === 'default-deny');
    expect(deny.metadata.namespace).toBe('tenantctl-system');
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ['Ingress', 'Egress'] });
    const allow = policies.find((p: any) => p.metadata.name === 'db-provisioner-egress');
    expect(allow.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'db-provisioner' });
    expect(allow.spec.policy_types).toEqual(['Egress']);
    const [dns, postgres, https] = allow.spec.egress;
    expect(dns.to[0].pod_selector.match_labels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(dns.ports).toEqual([
      { port: '53', protocol: 'UDP' },
      { port: '53', protocol: 'TCP' },
    ]);
    expect(postgres.to.map((t: any) => t.ip_block.cidr)).toEqual(platform.network.databaseSubnets);
    expect(postgres.ports).toEqual([{ port: '5432', protocol: 'TCP' }]);
    expect(https.to).toEqual(STS_ENDPOINT_CIDRS.map((cidr) => ({ ip_block: { cidr } })));
    expect(https.ports).toEqual([{ port: '443', protocol: 'TCP' }]);
  });

  it('applies the platform SQL with a Job in tenantctl-system, after the service account and policies exist', () => {
    const job = json.one('kubernetes_job_v1');
    expect(job.metadata.name).toMatch(/^db-provision-platform-[0-9a-f]{10}$/);
    expect(job.metadata.namespace).toBe('tenantctl-system');
    expect(json.one('kubernetes_config_map_v1').data['provision.sql']).toBe(renderPlatformSql(platform));
    expect(job.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_service_account_v1\./), expect.stringMatching(/^kubernetes_network_policy_v1\./)]),
    );
  });
});

describe('TenantIdentity', () => {
  const json = synth(
    (stack) =>
      new TenantIdentity(stack, 'identity', {
        platform,
        tenant: acme,
        namespace: 'tenant-acme',
        oidcProviderArn: OIDC_PROVIDER_ARN,
        oidcIssuer: OIDC_ISSUER,
        proxyResourceId: PROXY_RESOURCE_ID,
      }),
  );
  const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-tenant-acme');

  it("annotates the tenant's service account with its IAM role", () => {
    const sa = json.one('kubernetes_service_account_v1');
    expect(sa.metadata).toMatchObject({
      name: 'app',
      namespace: 'tenant-acme',
      annotations: { 'eks.amazonaws.com/role-arn': `\${aws_iam_role.${roleId}.arn}` },
    });
    expect(sa.automount_service_account_token).toBe(false);
  });

  it('trusts exactly the tenant namespace and service account', () => {
    const trust = JSON.stringify(json.resources('aws_iam_role')[roleId].assume_role_policy);
    expect(trust).toContain('system:serviceaccount:tenant-acme:app');
    expect(trust).not.toMatch(/system:serviceaccount:[^"\\]*\*/);
  });

  it("lets the tenant's role connect as its own DB user at the proxy, and nothing else", () => {
    const statements = statementsOf(policiesOf(json, 'acme-prod-tenant-acme'));
    expect(statements).toHaveLength(1);
    expect(asArray(statements[0].Action)).toEqual(['rds-db:connect']);
    expect(asArray(statements[0].Resource)).toEqual([`arn:aws:rds-db:eu-west-1:111122223333:dbuser:${PROXY_RESOURCE_ID}/tenant_acme`]);
  });

  it('writes nothing to the shared proxy role: its grant covers every tenant user by pattern (DatabaseProxy)', () => {
    expect(json.where('aws_iam_role_policy', (p) => p.role !== `\${aws_iam_role.${roleId}.name}`)).toEqual([]);
  });
});

describe('TenantDatabase', () => {
  const json = synth((stack) => {
    new TenantDatabase(stack, 'acme', { platform, tenant: acme, proxyEndpoint: PROXY_ENDPOINT });
    new TenantDatabase(stack, 'beta', { platform, tenant: beta, proxyEndpoint: PROXY_ENDPOINT });
  });
  const jobs = Object.values(json.resources('kubernetes_job_v1'));
  const jobOf = (id: string) => jobs.find((j: any) => j.metadata.name.startsWith(`db-provision-tenant-${id}-`));

  it("runs each tenant's SQL in tenantctl-provisioning as the tenant provisioner, never in the tenant namespace or as the master user", () => {
    for (const id of ['acme', 'beta']) {
      const job = jobOf(id);
      expect(job.metadata.name).toMatch(new RegExp(`^db-provision-tenant-${id}-[0-9a-f]{10}$`));
      expect(job.metadata.namespace).toBe('tenantctl-provisioning');
      expect(job.spec.template.spec.service_account_name).toBe('tenant-provisioner');
      expect(job.spec.template.spec.init_container[0].env).toContainEqual({ name: 'DB_USER', value: 'tenantctl_provisioner' });
      expect(job.spec.template.spec.container[0].env[0].value).toContain(' user=tenantctl_provisioner ');
    }
    const configs = Object.values(json.resources('kubernetes_config_map_v1'));
    expect(configs.map((c: any) => c.metadata.namespace)).toEqual(['tenantctl-provisioning', 'tenantctl-provisioning']);
    expect(JSON.stringify(json.json.resource)).not.toContain('tenantctl_admin');
    expect(JSON.stringify(json.json.resource)).not.toContain('"namespace":"tenant-');
  });

  it("carries the tenant's rendered SQL", () => {
    const sqlOf = (id: string) =>
      Object.values(json.resources('kubernetes_config_map_v1')).find((c: any) => c.metadata.name === jobOf(id).metadata.name).data['provision.sql'];
    expect(sqlOf('acme')).toBe(renderTenantSql(platform, acme));
    expect(sqlOf('beta')).toBe(renderTenantSql(platform, beta));
  });
});

describe('DedicatedNodes', () => {
  const json = synth(
    (stack) =>
      new DedicatedNodes(stack, 'nodes', {
        platform,
        tenant: acme,
        clusterName: 'acme-prod',
        kubernetesVersion: '1.34',
        privateSubnetIds: ['subnet-a', 'subnet-b'],
      }),
  );

  it('creates a node group for the enterprise tenant with its label and taint', () => {
    const group = json.one('aws_eks_node_group');
    expect(group.node_group_name).toBe('tenant-acme');
    expect(group.cluster_name).toBe('acme-prod');
    expect(group.subnet_ids).toEqual(['subnet-a', 'subnet-b']);
    expect(group.labels).toMatchObject({ 'tenantctl.io/tenant': 'acme' });
    expect(group.taint).toEqual(expect.arrayContaining([{ key: 'tenantctl.io/tenant', value: 'acme', effect: 'NO_SCHEDULE' }]));
    expect(group.instance_types).toEqual(['m6i.2xlarge']);
    expect(group.scaling_config).toMatchObject({ min_size: 2, desired_size: 2, max_size: 4 });
  });

  it("creates the tenant's own node role without Terraform Cloud (the operator applies), and finds the EBS key by its alias", () => {
    const [roleId, role] = Object.entries(json.resources('aws_iam_role'))[0];
    expect(role.name).toBe('acme-prod-eks-node-tenant-acme');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const attachments = Object.entries(json.resources('aws_iam_role_policy_attachment')).filter(
      ([, a]) => a.role === `\${aws_iam_role.${roleId}.name}`,
    );
    expect(attachments.map(([, a]) => a.policy_arn).sort()).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
    expect(json.data('aws_iam_role')).toEqual({});
    expect(Object.values(json.data('aws_kms_key'))[0].key_id).toBe('alias/acme-prod/ebs');
    const group = json.one('aws_eks_node_group');
    expect(group.node_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    expect(group.depends_on).toEqual(expect.arrayContaining(attachments.map(([id]) => `aws_iam_role_policy_attachment.${id}`)));
  });

  it("with Terraform Cloud, finds the tenant's own node role (the bootstrap stack's) by name and creates none", () => {
    const tfcPlatform = platformSpec({ terraformCloud: { organization: 'acme-corp' } } as Parameters<typeof platformSpec>[0]);
    const tfc = synth(
      (stack) =>
        new DedicatedNodes(stack, 'nodes', {
          platform: tfcPlatform,
          tenant: resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'enterprise' }), tfcPlatform, tiers, 'acme.json'),
          clusterName: 'acme-prod',
          kubernetesVersion: '1.34',
          privateSubnetIds: ['subnet-a', 'subnet-b'],
        }),
    );
    const [roleId, role] = Object.entries(tfc.data('aws_iam_role'))[0];
    expect(role.name).toBe('acme-prod-eks-node-tenant-acme');
    expect(tfc.resources('aws_iam_role')).toEqual({});
    expect(tfc.one('aws_eks_node_group').node_role_arn).toBe(`\${data.aws_iam_role.${roleId}.arn}`);
  });

  it('refuses tenants of a shared-node tier', () => {
    expect(() =>
      synth(
        (stack) =>
          new DedicatedNodes(stack, 'nodes', {
            platform,
            tenant: beta,
            clusterName: 'acme-prod',
            kubernetesVersion: '1.34',
            privateSubnetIds: ['subnet-a'],
          }),
      ),
    ).toThrow(/tenant beta \(tier starter\) has nodes.isolation "shared"/);
  });

  it('exposes the label and taint for scheduling', () => {
    expect(DedicatedNodes.labels(acme)).toEqual({ 'tenantctl.io/tenant': 'acme' });
    expect(DedicatedNodes.taint(acme)).toEqual({ key: 'tenantctl.io/tenant', value: 'acme', effect: 'NO_SCHEDULE' });
  });
});

describe('TenantScheduling', () => {
  const policyOf = (t: TenantSpec) =>
    synth((stack) => new TenantScheduling(stack, 'scheduling', { platform, tenant: t, namespace: t.names.namespace })).one('kubernetes_manifest')
      .manifest;
  const enterprise = policyOf(acme);
  const starter = policyOf(beta);
  const rule = (policy: any, name: string) => policy.spec.rules.find((r: any) => r.name === name);

  it('is a namespaced Kyverno Policy on Pods with autogen off', () => {
    expect(enterprise).toMatchObject({
      apiVersion: 'kyverno.io/v1',
      kind: 'Policy',
      metadata: { name: 'tenant-scheduling', namespace: 'tenant-acme' },
    });
    expect(enterprise.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toBe('none');
    for (const r of enterprise.spec.rules) expect(r.match.any[0].resources.kinds).toEqual(['Pod']);
  });

  it("sets the tier's priority class and matching priority", () => {
    expect(rule(enterprise, 'tier-priority').mutate.patchStrategicMerge).toEqual({
      spec: { priorityClassName: 'tenant-enterprise', priority: 100000 },
    });
    expect(rule(starter, 'tier-priority').mutate.patchStrategicMerge).toEqual({ spec: { priorityClassName: 'tenant-starter', priority: 1000 } });
  });

  it("steers a dedicated tenant's Pods onto its nodes", () => {
    expect(rule(enterprise, 'dedicated-node-selector').mutate.patchStrategicMerge).toEqual({
      spec: { nodeSelector: { 'tenantctl.io/tenant': 'acme' } },
    });
    const toleration = rule(enterprise, 'dedicated-node-toleration');
    expect(JSON.parse(toleration.mutate.patchesJson6902)).toEqual([
      { op: 'add', path: '/spec/tolerations/-', value: { key: 'tenantctl.io/tenant', operator: 'Equal', value: 'acme', effect: 'NoSchedule' } },
    ]);
    expect(toleration.preconditions.all[0].key).toContain("key=='tenantctl.io/tenant' && value=='acme'");
  });

  it("steers a shared tenant's Pods onto the shared tenants nodes", () => {
    expect(starter.spec.rules.map((r: any) => r.name)).toEqual(['tier-priority', 'sidecar-resources', 'shared-node-selector']);
    expect(rule(starter, 'shared-node-selector').mutate.patchStrategicMerge).toEqual({ spec: { nodeSelector: { 'tenantctl.io/pool': 'tenants' } } });
    expect(rule(enterprise, 'shared-node-selector')).toBeUndefined();
  });

  it("sizes every Pod's sidecar as the tier says, unless the Pod sets its own", () => {
    expect(rule(starter, 'sidecar-resources').mutate.patchStrategicMerge).toEqual({
      metadata: {
        annotations: {
          '+(sidecar.istio.io/proxyCPU)': '25m',
          '+(sidecar.istio.io/proxyCPULimit)': '50m',
          '+(sidecar.istio.io/proxyMemory)': '64Mi',
          '+(sidecar.istio.io/proxyMemoryLimit)': '128Mi',
        },
      },
    });
    expect(rule(enterprise, 'sidecar-resources').mutate.patchStrategicMerge.metadata.annotations['+(sidecar.istio.io/proxyCPULimit)']).toBe('150m');
  });
});

describe('TenantObservability', () => {
  const json = synth((stack) => new TenantObservability(stack, 'observability', { platform, tenant: acme, namespace: 'tenant-acme' }));
  const config = json.one('kubernetes_config_map_v1');
  const dashboard = JSON.parse(config.data['tenant-acme-dashboard.json']);
  const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
  const rules = json.one('kubernetes_manifest').manifest;
  const alert = (name: string) => rules.spec.groups[0].rules.find((r: any) => r.alert === name);

  it('publishes the dashboard to the Grafana sidecar from the monitoring namespace', () => {
    expect(config.metadata).toMatchObject({
      name: 'tenant-acme-dashboard',
      namespace: 'monitoring',
      labels: { grafana_dashboard: '1', 'tenantctl.io/tenant': 'acme' },
    });
    expect(dashboard).toMatchObject({ uid: 'tenant-acme', title: 'Tenant acme' });
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
  });

  it('renders valid dashboard JSON for every tenant', () => {
    for (const t of [acme, beta]) expect(() => JSON.parse(renderTenantDashboard(t, t.names.namespace, `tenant-${t.id}`))).not.toThrow();
  });

  it("shows only the tenant's traffic and quota", () => {
    expect(exprs.length).toBeGreaterThan(5);
    for (const expr of exprs) expect(expr).toMatch(/(destination_workload_namespace|namespace)="tenant-acme"/);
    const all = exprs.join('\n');
    expect(all).toContain('istio_requests_total');
    expect(all).toContain('response_code=~"5.."');
    expect(all).toContain('response_code="429"');
    for (const q of ['0.5', '0.95', '0.99'])
      expect(all).toContain(`histogram_quantile(${q}, sum by (le) (rate(istio_request_duration_milliseconds_bucket`);
    for (const r of ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory', 'pods']) expect(all).toContain(`resource="${r}", type="hard"`);
    expect(all).toContain('container_cpu_usage_seconds_total');
    expect(all).toContain('container_memory_working_set_bytes');
  });

  it('leaves no Terraform template sequences in the synthesized JSON', () => {
    const text = JSON.stringify([config, rules]);
    expect(text).not.toContain('${');
    expect(text).not.toContain('%{');
  });

  it('alerts on quota saturation, pods near quota, 5xx ratio and p99 latency', () => {
    expect(rules).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'tenant-acme', namespace: 'tenant-acme' },
    });
    expect(rules.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'TenantQuotaSaturation',
      'TenantPodsNearQuota',
      'TenantHighErrorRatio',
      'TenantHighLatencyP99',
    ]);
    expect(alert('TenantQuotaSaturation')).toMatchObject({ for: '15m', labels: { tenant: 'acme', severity: 'warning' } });
    expect(alert('TenantQuotaSaturation').expr).toBe(
      'max by (namespace, resource) (kube_resourcequota{namespace="tenant-acme", ' +
        'resource=~"requests.cpu|limits.cpu|requests.memory|limits.memory", type="used"} / ignoring(type) ' +
        'kube_resourcequota{namespace="tenant-acme", resource=~"requests.cpu|limits.cpu|requests.memory|limits.memory", type="hard"}) > 0.9',
    );
    expect(alert('TenantPodsNearQuota').expr).toContain('resource=~"pods", type="hard"}) > 0.9');
    expect(alert('TenantHighErrorRatio')).toMatchObject({ for: '10m' });
    expect(alert('TenantHighErrorRatio').expr).toBe(
      'sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="tenant-acme", response_code=~"5.."}[5m])) / ' +
        'sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="tenant-acme"}[5m])) > 0.05',
    );
    expect(alert('TenantHighLatencyP99').expr).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", ' +
        'destination_workload_namespace="tenant-acme"}[5m]))) > 1000',
    );
  });
});
