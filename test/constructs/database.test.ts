import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { Database, type DatabaseProps } from '../../stacks/constructs/database/database';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { platformSpec, SynthJson } from '../util';

const CLIENT_CIDRS = ['10.0.32.0/20', '10.0.48.0/20', '10.0.64.0/20'];

function synth(overrides: Partial<PlatformConfig> = {}, props: Partial<DatabaseProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const db = new Database(stack, 'database', {
    platform: platformSpec(overrides),
    vpcId: 'vpc-0123',
    databaseSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    clientCidrs: CLIENT_CIDRS,
    rdsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/rds',
    secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
    logsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
    ...props,
  });
  for (const member of ['proxyEndpoint', 'proxyArn', 'proxyResourceId', 'masterSecretArn', 'proxySecurityGroupId', 'proxyRoleName'] as const) {
    new TerraformOutput(stack, member, { value: db[member] });
  }
  return { db, json: SynthJson.parse(Testing.synth(stack)) };
}

const ref = (json: SynthJson, type: string, attr: string, predicate?: (r: any) => boolean) => `\${${type}.${json.idOf(type, predicate)}.${attr}}`;

describe('Database: RDS PostgreSQL instance', () => {
  const { json } = synth();
  const instance = json.one('aws_db_instance');

  test('runs the configured PostgreSQL major version with minor upgrades on', () => {
    expect(instance).toMatchObject({
      identifier: 'acme-prod-postgres',
      engine: 'postgres',
      engine_version: '17',
      auto_minor_version_upgrade: true,
      instance_class: 'db.r6g.large',
    });
  });

  test('is Multi-AZ, private, with gp3 storage that can grow', () => {
    expect(instance).toMatchObject({
      multi_az: true,
      publicly_accessible: false,
      storage_type: 'gp3',
      allocated_storage: 100,
      max_allocated_storage: 1000,
    });
    expect(instance.db_subnet_group_name).toBe(ref(json, 'aws_db_subnet_group', 'name'));
    expect(json.one('aws_db_subnet_group')).toMatchObject({ name: 'acme-prod-database', subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'] });
  });

  test('encrypts storage and Performance Insights with the RDS key', () => {
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/rds',
      performance_insights_enabled: true,
      performance_insights_kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/rds',
      ca_cert_identifier: 'rds-ca-rsa2048-g1',
    });
  });

  test('lets RDS manage the master password in Secrets Manager: no password in code or state', () => {
    expect(instance).toMatchObject({
      username: 'tenantctl_admin',
      db_name: 'saas',
      manage_master_user_password: true,
      master_user_secret_kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
    });
    expect(instance.password).toBeUndefined();
    expect(instance.password_wo).toBeUndefined();
    expect(json.json.output.masterSecretArn.value).toBe(`\${aws_db_instance.${json.idOf('aws_db_instance')}.master_user_secret[0].secret_arn}`);
  });

  test('enables IAM database authentication', () => {
    expect(instance.iam_database_authentication_enabled).toBe(true);
  });

  test('is protected against deletion and keeps backups and a final snapshot', () => {
    expect(instance).toMatchObject({
      deletion_protection: true,
      backup_retention_period: 14,
      copy_tags_to_snapshot: true,
      skip_final_snapshot: false,
      delete_automated_backups: false,
    });
  });

  test('names the final snapshot after the creation time of this instance generation, stable across plans', () => {
    expect(instance.final_snapshot_identifier).toBe('acme-prod-postgres-final-${formatdate("YYYYMMDDhhmmss", timestamp())}');
    expect(instance.lifecycle).toEqual({ ignore_changes: ['final_snapshot_identifier'] });
  });

  test('exports its logs to KMS-encrypted log groups created before the instance', () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(['postgresql', 'upgrade', 'iam-db-auth-error']);
    const groups = Object.entries(json.resources('aws_cloudwatch_log_group'));
    expect(groups.map(([, g]) => g.name).sort()).toEqual([
      '/aws/rds/instance/acme-prod-postgres/iam-db-auth-error',
      '/aws/rds/instance/acme-prod-postgres/postgresql',
      '/aws/rds/instance/acme-prod-postgres/upgrade',
    ]);
    for (const [id, group] of groups) {
      expect(group).toMatchObject({ kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/logs', retention_in_days: 365 });
      expect(instance.depends_on).toContain(`aws_cloudwatch_log_group.${id}`);
    }
  });

  test('has enhanced monitoring every 60 s through its own role', () => {
    expect(instance.monitoring_interval).toBe(60);
    const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-rds-monitoring');
    expect(instance.monitoring_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    const role = json.resources('aws_iam_role')[roleId];
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'monitoring.rds.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(json.one('aws_iam_role_policy_attachment')).toEqual({
      role: `\${aws_iam_role.${roleId}.name}`,
      policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });
  });
});

describe('Database: parameter group', () => {
  const { json } = synth();
  const group = json.one('aws_db_parameter_group');
  const param = (name: string) => group.parameter.find((p: any) => p.name === name);

  test('matches the engine major version and is used by the instance', () => {
    expect(group).toMatchObject({ name: 'acme-prod-postgres', family: 'postgres17' });
    expect(json.one('aws_db_instance').parameter_group_name).toBe(ref(json, 'aws_db_parameter_group', 'name'));
  });

  test('forces TLS and logs connections and slow statements', () => {
    expect(param('rds.force_ssl')).toEqual({ name: 'rds.force_ssl', value: '1' });
    expect(param('log_connections').value).toBe('1');
    expect(param('log_disconnections').value).toBe('1');
    expect(param('log_min_duration_statement').value).toBe('1000');
  });

  test('preloads pg_stat_statements on the next reboot (static parameter)', () => {
    expect(param('shared_preload_libraries')).toEqual({
      name: 'shared_preload_libraries',
      value: 'pg_stat_statements',
      apply_method: 'pending-reboot',
    });
  });
});

describe('Database: security groups', () => {
  const { json } = synth();
  const dbSg = json.idOf('aws_security_group', (g) => g.name === 'acme-prod-postgres');
  const proxySg = json.idOf('aws_security_group', (g) => g.name === 'acme-prod-rds-proxy');
  const rulesOf = (type: string, sg: string) => json.where(type, (r) => r.security_group_id === `\${aws_security_group.${sg}.id}`);

  test('the instance admits 5432 only from the proxy security group and opens nothing else', () => {
    expect(json.one('aws_db_instance').vpc_security_group_ids).toEqual([`\${aws_security_group.${dbSg}.id}`]);
    const ingress = rulesOf('aws_vpc_security_group_ingress_rule', dbSg);
    expect(ingress).toEqual([
      {
        security_group_id: `\${aws_security_group.${dbSg}.id}`,
        description: expect.stringMatching(/proxy/i),
        ip_protocol: 'tcp',
        from_port: 5432,
        to_port: 5432,
        referenced_security_group_id: `\${aws_security_group.${proxySg}.id}`,
      },
    ]);
    expect(rulesOf('aws_vpc_security_group_egress_rule', dbSg)).toEqual([]);
    expect(json.resources('aws_security_group')[dbSg].ingress).toBeUndefined();
  });

  test('the proxy admits 5432 from each client CIDR and reaches only the database', () => {
    const ingress = rulesOf('aws_vpc_security_group_ingress_rule', proxySg);
    expect(ingress.map((r) => r.cidr_ipv4).sort()).toEqual([...CLIENT_CIDRS].sort());
    for (const rule of ingress) expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 5432, to_port: 5432 });
    expect(rulesOf('aws_vpc_security_group_egress_rule', proxySg)).toEqual([
      expect.objectContaining({
        from_port: 5432,
        to_port: 5432,
        ip_protocol: 'tcp',
        referenced_security_group_id: `\${aws_security_group.${dbSg}.id}`,
      }),
    ]);
    expect(json.json.output.proxySecurityGroupId.value).toBe(`\${aws_security_group.${proxySg}.id}`);
  });

  test('every rule has a description', () => {
    const rules = [...json.where('aws_vpc_security_group_ingress_rule', () => true), ...json.where('aws_vpc_security_group_egress_rule', () => true)];
    expect(rules).toHaveLength(5);
    for (const rule of rules) expect(rule.description).toEqual(expect.any(String));
  });
});

describe('Database: RDS Proxy', () => {
  const { db, json } = synth();
  const proxy = json.one('aws_db_proxy');
  const proxyId = json.idOf('aws_db_proxy');
  const secretArn = `\${aws_db_instance.${json.idOf('aws_db_instance')}.master_user_secret[0].secret_arn}`;
  const roleId = json.idOf('aws_iam_role', (r) => r.name === 'acme-prod-rds-proxy');

  test('requires TLS and end-to-end IAM authentication', () => {
    expect(proxy).toMatchObject({
      name: 'acme-prod-proxy',
      engine_family: 'POSTGRESQL',
      require_tls: true,
      default_auth_scheme: 'IAM_AUTH',
      debug_logging: false,
    });
    expect(proxy.vpc_subnet_ids).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
  });

  test('registers only the master secret, reachable with an IAM token only', () => {
    expect(proxy.auth).toEqual([
      expect.objectContaining({
        auth_scheme: 'SECRETS',
        iam_auth: 'REQUIRED',
        client_password_auth_type: 'POSTGRES_SCRAM_SHA_256',
        secret_arn: secretArn,
      }),
    ]);
  });

  test('its role may read exactly the master secret and decrypt it only through Secrets Manager', () => {
    expect(proxy.role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    const role = json.resources('aws_iam_role')[roleId];
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const policy = json.where('aws_iam_role_policy', (p) => p.name === 'master-secret')[0];
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.name}`);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: 'ReadMasterSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArn },
      {
        Sid: 'DecryptMasterSecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(json.json.output.proxyRoleName.value).toBe(`\${aws_iam_role.${roleId}.name}`);
  });

  test('its role may log in to the instance as every tenant user and the tenant provisioner, by pattern: one grant for any number of tenants', () => {
    const policy = json.where('aws_iam_role_policy', (p) => p.name === 'db-users')[0];
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.name}`);
    const dbUser = (user: string) =>
      `arn:aws:rds-db:eu-west-1:111122223333:dbuser:\${aws_db_instance.${json.idOf('aws_db_instance')}.resource_id}/${user}`;
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'LogInAsTenantUsersProvisionerAndPurger',
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: [dbUser('tenant_*'), dbUser('tenantctl_provisioner'), dbUser('tenantctl_purger')],
      },
    ]);
    // The master user is no tenant: the pattern must not reach it.
    expect('tenantctl_admin'.startsWith('tenant_')).toBe(false);
  });

  test("holds the role's inline policies exclusively, so no tenant stack can add its own (and earlier per-tenant grants are removed)", () => {
    const policyRef = (name: string) => `\${aws_iam_role_policy.${json.idOf('aws_iam_role_policy', (p) => p.name === name)}.name}`;
    expect(json.one('aws_iam_role_policies_exclusive')).toEqual({
      role_name: `\${aws_iam_role.${roleId}.name}`,
      policy_names: [policyRef('master-secret'), policyRef('db-users')],
    });
  });

  test('sizes the connection pool from the planned tenants (500 x 3 x 2 on db.r6g.large: capped)', () => {
    expect(db.sizing).toMatchObject({ wanted: 1500, maxConnectionsPercent: 90, maxIdleConnectionsPercent: 45, cappedByInstance: true });
    expect(json.one('aws_db_proxy_default_target_group')).toEqual({
      db_proxy_name: `\${aws_db_proxy.${proxyId}.name}`,
      connection_pool_config: { max_connections_percent: 90, max_idle_connections_percent: 45, connection_borrow_timeout: 120 },
    });
  });

  test('targets the instance through the default target group', () => {
    expect(json.one('aws_db_proxy_target')).toEqual({
      db_proxy_name: `\${aws_db_proxy.${proxyId}.name}`,
      target_group_name: `\${aws_db_proxy_default_target_group.${json.idOf('aws_db_proxy_default_target_group')}.name}`,
      db_instance_identifier: `\${aws_db_instance.${json.idOf('aws_db_instance')}.identifier}`,
    });
  });

  test('exposes the endpoint, ARN and prx- resource id', () => {
    const outputs = json.json.output;
    expect(outputs.proxyEndpoint.value).toBe(`\${aws_db_proxy.${proxyId}.endpoint}`);
    expect(outputs.proxyArn.value).toBe(`\${aws_db_proxy.${proxyId}.arn}`);
    expect(outputs.proxyResourceId.value).toBe(`\${element(split(":", aws_db_proxy.${proxyId}.arn), 6)}`);
  });
});

describe('Database: configuration', () => {
  test('a smaller plan gives a smaller pool percentage', () => {
    const { json } = synth({ database: { plannedTenants: 50 } });
    // 50 x 3 x 2 x 0.5 = 150 of about 1622 connections: 10 %.
    expect(json.one('aws_db_proxy_default_target_group').connection_pool_config).toMatchObject({
      max_connections_percent: 10,
      max_idle_connections_percent: 5,
    });
  });

  test('a pinned minor version sets the parameter family from the major and turns auto minor upgrades off', () => {
    const { json } = synth({ database: { engineVersion: '16.4' } });
    expect(json.one('aws_db_instance')).toMatchObject({ engine_version: '16.4', auto_minor_version_upgrade: false });
    expect(json.one('aws_db_parameter_group').family).toBe('postgres16');
  });

  test('rejects fewer than two database subnets', () => {
    expect(() => synth({}, { databaseSubnetIds: ['subnet-a'] })).toThrow(/at least two availability zones.*got 1/);
  });

  test('rejects client CIDRs given as one list token (one rule is needed per CIDR)', () => {
    expect(() => synth({}, { clientCidrs: Token.asList('${var.cidrs}') })).toThrow(/one CIDR per private subnet, not a single list token/);
  });

  test('rejects an empty client CIDR list', () => {
    expect(() => synth({}, { clientCidrs: [] })).toThrow(/at least one client CIDR/);
  });
});
