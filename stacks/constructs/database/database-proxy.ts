import { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import { DbProxyDefaultTargetGroup } from '@cdktf/provider-aws/lib/db-proxy-default-target-group';
import { DbProxyTarget } from '@cdktf/provider-aws/lib/db-proxy-target';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { PoolSizing } from '../../../src/model/pool-sizing';
import { policyDocument, servicePrincipalTrust } from '../iam/documents';

export const POSTGRES_PORT = 5432;

/** Seconds a client waits for a pooled connection before the proxy gives up. */
const CONNECTION_BORROW_TIMEOUT = 120;

export interface DatabaseProxyProps {
  readonly platform: PlatformSpec;
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** CIDRs allowed to connect to the proxy on 5432. */
  readonly clientCidrs: string[];
  readonly databaseSecurityGroupId: string;
  readonly dbInstanceIdentifier: string;
  /** `db-...` of the instance: with end-to-end IAM authentication the proxy logs in to it as each client's user. */
  readonly dbResourceId: string;
  /** The RDS-managed master user secret: the only secret the proxy may read. */
  readonly masterSecretArn: string;
  readonly secretsKmsKeyArn: string;
  readonly sizing: PoolSizing;
}

/**
 * RDS Proxy in front of the instance with end-to-end IAM authentication: clients present an IAM
 * token and the proxy connects to PostgreSQL with an IAM token as well, so tenant roles need no
 * secret. The proxy's role may log in as every tenant user by pattern (`tenant_*`) and as the
 * tenant provisioner, one grant for all tenants, so adding a tenant never changes this construct
 * and the role's inline policies stay the same size at any tenant count; which user a client may
 * be is decided by the client's own `rds-db:connect` on the proxy. The role's inline policies are
 * held exclusively: anything else written to it is removed on the next apply. The master secret is
 * registered only for the platform's DB provisioning Job, which still has to present an IAM token.
 */
export class DatabaseProxy extends Construct {
  readonly proxy: DbProxy;
  readonly securityGroupId: string;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: DatabaseProxyProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const { region } = props.platform.aws;

    const sg = new SecurityGroup(this, 'security-group', {
      name: names.proxySecurityGroup,
      description: 'RDS Proxy: PostgreSQL from the private (pod) subnets, to the database only',
      vpcId: props.vpcId,
      tags: { Name: names.proxySecurityGroup },
    });
    this.securityGroupId = sg.id;
    props.clientCidrs.forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `ingress-client-${i}`, {
        securityGroupId: sg.id,
        description: `PostgreSQL from private subnet ${cidr} (pods)`,
        ipProtocol: 'tcp',
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        cidrIpv4: cidr,
      });
    });
    new VpcSecurityGroupEgressRule(this, 'egress-database', {
      securityGroupId: sg.id,
      description: 'PostgreSQL to the RDS instance',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: props.databaseSecurityGroupId,
    });

    this.role = new IamRole(this, 'role', {
      name: names.proxyRole,
      description: 'RDS Proxy: reads the master user secret, logs in to the instance as tenant users, the tenant provisioner and purger',
      assumeRolePolicy: servicePrincipalTrust('rds.amazonaws.com'),
    });
    const masterSecret = new IamRolePolicy(this, 'role-policy', {
      name: 'master-secret',
      role: this.role.name,
      policy: policyDocument([
        {
          Sid: 'ReadMasterSecret',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: props.masterSecretArn,
        },
        {
          Sid: 'DecryptMasterSecret',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: props.secretsKmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        },
      ]),
    });

    const dbUser = (user: string) => `arn:${names.partition}:rds-db:${region}:${props.platform.aws.accountId}:dbuser:${props.dbResourceId}/${user}`;
    const dbUsers = new IamRolePolicy(this, 'db-users', {
      name: 'db-users',
      role: this.role.name,
      policy: policyDocument([
        {
          Sid: 'LogInAsTenantUsersProvisionerAndPurger',
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: [dbUser(`${names.dbTenantUserPrefix}*`), dbUser(names.dbTenantProvisionerUser), dbUser(names.dbTenantPurgerUser)],
        },
      ]),
    });
    // Earlier versions had each tenant stack add its own policy here (the role's 10,240-character
    // limit stopped at about 40 tenants): exclusivity removes those and keeps anything else out.
    new IamRolePoliciesExclusive(this, 'exclusive-policies', { roleName: this.role.name, policyNames: [masterSecret.name, dbUsers.name] });

    this.proxy = new DbProxy(this, 'proxy', {
      name: names.proxy,
      engineFamily: 'POSTGRESQL',
      requireTls: true,
      debugLogging: false,
      roleArn: this.role.arn,
      vpcSubnetIds: props.subnetIds,
      vpcSecurityGroupIds: [sg.id],
      defaultAuthScheme: 'IAM_AUTH',
      auth: [
        {
          description: 'Master user, for the platform DB provisioning Job (IAM token required)',
          authScheme: 'SECRETS',
          iamAuth: 'REQUIRED',
          clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
          secretArn: props.masterSecretArn,
        },
      ],
      tags: { Name: names.proxy },
    });

    const targetGroup = new DbProxyDefaultTargetGroup(this, 'default-target-group', {
      dbProxyName: this.proxy.name,
      connectionPoolConfig: {
        maxConnectionsPercent: props.sizing.maxConnectionsPercent,
        maxIdleConnectionsPercent: props.sizing.maxIdleConnectionsPercent,
        connectionBorrowTimeout: CONNECTION_BORROW_TIMEOUT,
      },
    });
    new DbProxyTarget(this, 'target', {
      dbProxyName: this.proxy.name,
      targetGroupName: targetGroup.name,
      dbInstanceIdentifier: props.dbInstanceIdentifier,
    });
  }

  /** `prx-...`: the proxy's resource id, used in `rds-db:connect` ARNs. */
  get resourceId(): string {
    return Token.asString(Fn.element(Fn.split(':', this.proxy.arn), 6));
  }
}
