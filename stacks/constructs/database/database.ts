import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import type { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../../../src/model/errors';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { poolSizing, type PoolSizing } from '../../../src/model/pool-sizing';
import { PLATFORM_FILE } from '../../../src/model/project';
import { DatabaseProxy, POSTGRES_PORT } from './database-proxy';
import { servicePrincipalTrust } from '../iam/documents';
import { awsManagedPolicyArn } from '../iam/arns';

export interface DatabaseProps {
  readonly platform: PlatformSpec;
  readonly vpcId: string;
  /** The database subnets, one per AZ (at least two: Multi-AZ needs them). */
  readonly databaseSubnetIds: string[];
  /** Private subnet CIDRs (pods, VPC CNI) allowed to reach the proxy on 5432. */
  readonly clientCidrs: string[];
  readonly rdsKmsKeyArn: string;
  readonly secretsKmsKeyArn: string;
  readonly logsKmsKeyArn: string;
}

/** PostgreSQL logs shipped to CloudWatch Logs. */
export const DB_LOG_EXPORTS = ['postgresql', 'upgrade', 'iam-db-auth-error'] as const;

const LOG_RETENTION_DAYS = 365;
const MONITORING_INTERVAL_SECONDS = 60;
const CA_CERT = 'rds-ca-rsa2048-g1';
/** UTC creation time in a snapshot identifier's alphabet (letters, digits, single hyphens). */
const SNAPSHOT_STAMP_FORMAT = 'YYYYMMDDhhmmss';

/**
 * The platform's shared PostgreSQL: one Multi-AZ RDS instance, reachable only through RDS Proxy
 * with IAM authentication. The master password is generated and rotated by RDS in Secrets
 * Manager, so it never appears in code or Terraform state.
 */
export class Database extends Construct {
  readonly instance: DbInstance;
  readonly proxy: DbProxy;
  readonly proxyEndpoint: string;
  readonly proxyArn: string;
  /** `prx-...`: the last segment of the proxy ARN, as `rds-db:connect` resource ARNs need it. */
  readonly proxyResourceId: string;
  readonly masterSecretArn: string;
  readonly proxySecurityGroupId: string;
  readonly proxyRoleName: string;
  /** The proxy pool size derived from the planned tenant capacity. */
  readonly sizing: PoolSizing;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    validate(props);
    const names = platformNames(props.platform);
    const db = props.platform.database;
    const major = db.engineVersion.split('.')[0];

    const logGroups = DB_LOG_EXPORTS.map(
      (log) =>
        new CloudwatchLogGroup(this, `log-group-${log}`, {
          name: names.dbLogGroup(log),
          kmsKeyId: props.logsKmsKeyArn,
          retentionInDays: LOG_RETENTION_DAYS,
        }),
    );

    const monitoringRole = new IamRole(this, 'monitoring-role', {
      name: names.dbMonitoringRole,
      description: 'RDS enhanced monitoring',
      assumeRolePolicy: servicePrincipalTrust('monitoring.rds.amazonaws.com'),
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: monitoringRole.name,
      policyArn: awsManagedPolicyArn(names.partition, 'service-role/AmazonRDSEnhancedMonitoringRole'),
    });

    const subnetGroup = new DbSubnetGroup(this, 'subnet-group', {
      name: names.dbSubnetGroup,
      description: 'Database subnets of the platform VPC',
      subnetIds: props.databaseSubnetIds,
    });

    const parameterGroup = new DbParameterGroup(this, 'parameter-group', {
      name: names.dbParameterGroup,
      family: `postgres${major}`,
      description: 'TLS only, connection and slow statement logging, pg_stat_statements',
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_connections', value: '1' },
        { name: 'log_disconnections', value: '1' },
        { name: 'log_min_duration_statement', value: '1000' },
        // Static parameter: RDS rejects `immediate` for it.
        { name: 'shared_preload_libraries', value: 'pg_stat_statements', applyMethod: 'pending-reboot' },
      ],
    });

    const dbSecurityGroup = new SecurityGroup(this, 'security-group', {
      name: names.dbSecurityGroup,
      description: 'RDS PostgreSQL: reachable from the RDS Proxy only',
      vpcId: props.vpcId,
      tags: { Name: names.dbSecurityGroup },
    });

    this.instance = new DbInstance(this, 'instance', {
      identifier: names.dbInstance,
      engine: 'postgres',
      engineVersion: db.engineVersion,
      // A major-only version lets RDS apply minor upgrades without Terraform fighting them; a
      // pinned minor version means the operator upgrades explicitly.
      autoMinorVersionUpgrade: !db.engineVersion.includes('.'),
      instanceClass: db.instanceClass,
      storageType: 'gp3',
      allocatedStorage: db.allocatedStorageGiB,
      maxAllocatedStorage: db.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: props.rdsKmsKeyArn,
      dbName: names.dbName,
      username: names.dbMasterUser,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.secretsKmsKeyArn,
      iamDatabaseAuthenticationEnabled: true,
      multiAz: true,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [dbSecurityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: parameterGroup.name,
      caCertIdentifier: CA_CERT,
      deletionProtection: true,
      backupRetentionPeriod: db.backupRetentionDays,
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      skipFinalSnapshot: false,
      // RDS refuses a final snapshot name that exists, so each instance generation names its own
      // after its creation time. timestamp() changes on every run, but ignore_changes keeps the
      // stored name on later plans, and Terraform plans a replacement without ignore_changes, so
      // only a new instance gets a new name; deletion uses the name stored with the old one.
      // (A random_id with keepers would do the same at the cost of another provider.)
      finalSnapshotIdentifier: names.dbFinalSnapshot(Fn.formatdate(SNAPSHOT_STAMP_FORMAT, Fn.timestamp())),
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.rdsKmsKeyArn,
      monitoringInterval: MONITORING_INTERVAL_SECONDS,
      monitoringRoleArn: monitoringRole.arn,
      enabledCloudwatchLogsExports: [...DB_LOG_EXPORTS],
      tags: { Name: names.dbInstance },
      // RDS creates the log groups itself (unencrypted, kept forever) if they do not exist yet.
      dependsOn: [...logGroups, monitoringPolicy],
      lifecycle: { ignoreChanges: ['final_snapshot_identifier'] },
    });
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;

    this.sizing = poolSizing({
      tenants: db.plannedTenants,
      servicesPerTenant: db.servicesPerTenant,
      replicasPerService: db.replicasPerService,
      instanceClass: db.instanceClass,
    });
    const proxy = new DatabaseProxy(this, 'proxy', {
      platform: props.platform,
      vpcId: props.vpcId,
      subnetIds: props.databaseSubnetIds,
      clientCidrs: props.clientCidrs,
      databaseSecurityGroupId: dbSecurityGroup.id,
      dbInstanceIdentifier: this.instance.identifier,
      dbResourceId: this.instance.resourceId,
      masterSecretArn: this.masterSecretArn,
      secretsKmsKeyArn: props.secretsKmsKeyArn,
      sizing: this.sizing,
    });
    new VpcSecurityGroupIngressRule(this, 'ingress-proxy', {
      securityGroupId: dbSecurityGroup.id,
      description: 'PostgreSQL from the RDS Proxy only',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: proxy.securityGroupId,
    });

    this.proxy = proxy.proxy;
    this.proxyEndpoint = proxy.proxy.endpoint;
    this.proxyArn = proxy.proxy.arn;
    this.proxyResourceId = proxy.resourceId;
    this.proxySecurityGroupId = proxy.securityGroupId;
    this.proxyRoleName = proxy.role.name;
  }
}

function validate(props: DatabaseProps): void {
  if (!Token.isUnresolved(props.databaseSubnetIds) && props.databaseSubnetIds.length < 2) {
    throw new ValidationError(
      PLATFORM_FILE,
      'network.databaseSubnets',
      'Database needs subnets in at least two availability zones for Multi-AZ: list one per availability zone',
      props.databaseSubnetIds.length,
    );
  }
  // One security group rule is made per CIDR, so the list itself must be known at synth time.
  if (Token.isUnresolved(props.clientCidrs)) {
    throw new Error(
      "Database clientCidrs must be a list with one CIDR per private subnet, not a single list token: pass the subnets' CIDRs one by one",
    );
  }
  if (props.clientCidrs.length === 0) {
    throw new Error('Database needs at least one client CIDR (the private subnets): without one nothing can reach the RDS Proxy');
  }
}
