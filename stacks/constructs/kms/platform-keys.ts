import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { serviceLinkedRoleArn } from '../../../src/model/service-linked-roles';
import { ServiceLinkedRole } from '../identity/service-linked-role';
import type { PolicyStatement } from '../iam/documents';
import { EncryptionKey } from './kms-key';

export interface PlatformKeysProps {
  readonly platform: PlatformSpec;
}

/** Data-key actions a service needs to encrypt and decrypt with a key (no `*` families). */
export const USE_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

/**
 * One customer managed key per purpose, so a key's policy and its audit trail concern one kind
 * of data: EKS secrets envelope encryption, RDS storage, CloudWatch log groups, ECR images,
 * Secrets Manager secrets, node EBS volumes and the rate limit's ElastiCache.
 */
export class PlatformKeys extends Construct {
  readonly eks: EncryptionKey;
  readonly rds: EncryptionKey;
  readonly logs: EncryptionKey;
  readonly ecr: EncryptionKey;
  readonly secrets: EncryptionKey;
  readonly ebs: EncryptionKey;
  readonly elasticache: EncryptionKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    const { region, accountId } = platform.aws;
    const { partition } = names;

    const key = (
      purpose: Parameters<typeof names.kmsAlias>[0],
      description: string,
      serviceStatements: PolicyStatement[] = [],
      dependsOn?: ServiceLinkedRole,
    ) =>
      new EncryptionKey(this, purpose, {
        aliasName: names.kmsAlias(purpose),
        description: `${names.prefix}: ${description}`,
        accountId,
        partition,
        serviceStatements,
        dependsOn: dependsOn && [dependsOn.dependable],
      });

    this.eks = key('eks', 'EKS Kubernetes secrets envelope encryption');
    this.rds = key('rds', 'RDS PostgreSQL storage and Performance Insights');
    // CloudWatch Logs encrypts as its service principal, not as an IAM principal of the account,
    // so the key policy itself must allow it, limited to this account's log groups in this region.
    this.logs = key('logs', 'CloudWatch Logs log groups', [
      {
        Sid: 'CloudWatchLogsEncryptsLogGroups',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: USE_KEY_ACTIONS,
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
      },
    ]);
    this.ecr = key('ecr', 'ECR repositories');
    this.secrets = key('secrets', 'Secrets Manager secrets');
    this.elasticache = key('elasticache', 'ElastiCache (rate limit counters) at rest');
    // Managed node groups launch instances through Auto Scaling, whose service-linked role must be
    // able to use the key of the encrypted root volumes (and hand grants to EC2), or nodes never start.
    // A fresh account has no such role until its first Auto Scaling group, so it is made first.
    const autoScaling = 'autoscaling.amazonaws.com';
    const autoScalingRole = serviceLinkedRoleArn(partition, accountId, autoScaling);
    const autoScalingRoleReady = new ServiceLinkedRole(this, 'autoscaling-role', {
      service: autoScaling,
      exists: platform.aws.existingServiceLinkedRoles.includes(autoScaling),
    });
    this.ebs = key(
      'ebs',
      'EBS volumes of EKS nodes and persistent volumes',
      [
        {
          Sid: 'AutoScalingUsesKeyForNodeVolumes',
          Effect: 'Allow',
          Principal: { AWS: autoScalingRole },
          Action: USE_KEY_ACTIONS,
          Resource: '*',
        },
        {
          Sid: 'AutoScalingGrantsKeyToEc2',
          Effect: 'Allow',
          Principal: { AWS: autoScalingRole },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
        },
      ],
      autoScalingRoleReady,
    );
  }
}
