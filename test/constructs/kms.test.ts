import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { EncryptionKey } from '../../stacks/constructs/kms/kms-key';
import { PlatformKeys } from '../../stacks/constructs/kms/platform-keys';
import { platformSpec, SynthJson } from '../util';

const PURPOSES = ['eks', 'rds', 'logs', 'ecr', 'secrets', 'ebs', 'elasticache'] as const;
const ROOT = 'arn:aws:iam::111122223333:root';
const USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

describe('PlatformKeys', () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const keys = new PlatformKeys(stack, 'keys', { platform: platformSpec() });
  for (const purpose of PURPOSES) new TerraformOutput(stack, `${purpose}-arn`, { value: keys[purpose].arn });
  const json = SynthJson.parse(Testing.synth(stack));
  const keyIdOf = (purpose: string) => json.idOf('aws_kms_key', (k) => k.description.endsWith(descriptionOf(purpose)));
  const descriptionOf = (purpose: string) => keys[purpose as (typeof PURPOSES)[number]].key.descriptionInput as string;
  const policyOf = (purpose: string) => JSON.parse(json.resources('aws_kms_key')[keyIdOf(purpose)].policy);

  test('creates one key per purpose, each with yearly rotation and a 30-day deletion window', () => {
    const all = Object.values(json.resources('aws_kms_key'));
    expect(all).toHaveLength(PURPOSES.length);
    for (const key of all) expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
  });

  test('gives each key its alias from platformNames', () => {
    const aliases = json.resources('aws_kms_alias');
    expect(
      Object.values(aliases)
        .map((a) => a.name)
        .sort(),
    ).toEqual(PURPOSES.map((p) => `alias/acme-prod/${p}`).sort());
    for (const purpose of PURPOSES) {
      const [alias] = json.where('aws_kms_alias', (a) => a.name === `alias/acme-prod/${purpose}`);
      expect(alias.target_key_id).toBe(`\${aws_kms_key.${keyIdOf(purpose)}.key_id}`);
      expect(keys[purpose].aliasName).toBe(`alias/acme-prod/${purpose}`);
      expect(json.json.output[`${purpose}-arn`].value).toBe(`\${aws_kms_key.${keyIdOf(purpose)}.arn}`);
    }
  });

  test('lets the account root administer every key (which delegates use to IAM policies)', () => {
    for (const purpose of PURPOSES) {
      const [root] = policyOf(purpose).Statement;
      expect(root).toEqual({ Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' });
    }
  });

  test('EKS, RDS, ECR, secrets and ElastiCache keys trust no principal outside the account IAM', () => {
    for (const purpose of ['eks', 'rds', 'ecr', 'secrets', 'elasticache']) {
      expect(policyOf(purpose).Statement.map((s: any) => s.Principal)).toEqual([{ AWS: ROOT }]);
    }
  });

  test("the logs key lets CloudWatch Logs of this region use it for this account's log groups only", () => {
    const [, logs, ...rest] = policyOf('logs').Statement;
    expect(rest).toEqual([]);
    expect(logs).toEqual({
      Sid: 'CloudWatchLogsEncryptsLogGroups',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: USE_ACTIONS,
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111122223333:log-group:*' } },
    });
  });

  test('the EBS key lets the Auto Scaling service-linked role encrypt node volumes and grant them to EC2', () => {
    const asg = 'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    const [, use, grant, ...rest] = policyOf('ebs').Statement;
    expect(rest).toEqual([]);
    expect(use).toMatchObject({ Effect: 'Allow', Principal: { AWS: asg }, Action: USE_ACTIONS, Resource: '*' });
    expect(use.Condition).toBeUndefined();
    expect(grant).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: asg },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  });

  test('creates the Auto Scaling service-linked role first: KMS rejects a policy naming a role that does not exist', () => {
    expect(json.one('aws_iam_service_linked_role')).toEqual({ aws_service_name: 'autoscaling.amazonaws.com' });
    const roleId = json.idOf('aws_iam_service_linked_role');
    expect(json.resources('aws_kms_key')[keyIdOf('ebs')].depends_on).toEqual([`aws_iam_service_linked_role.${roleId}`]);
    expect(json.data('aws_iam_role')).toEqual({});
  });

  test('other keys wait for no service-linked role', () => {
    for (const purpose of ['eks', 'rds', 'logs', 'ecr', 'secrets'])
      expect(json.resources('aws_kms_key')[keyIdOf(purpose)].depends_on).toBeUndefined();
  });

  test('no service statement uses a wildcard action', () => {
    for (const purpose of PURPOSES) {
      for (const s of policyOf(purpose).Statement.slice(1)) {
        for (const action of [s.Action].flat()) expect(action).not.toContain('*');
      }
    }
  });
});

describe('PlatformKeys in an account that has the Auto Scaling service-linked role already', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new PlatformKeys(stack, 'keys', {
    platform: platformSpec({ aws: { region: 'eu-west-1', accountId: '111122223333', existingServiceLinkedRoles: ['autoscaling.amazonaws.com'] } }),
  });
  const json = SynthJson.parse(Testing.synth(stack));

  test('looks the role up instead of creating it again, and the EBS key waits for the lookup', () => {
    expect(json.resources('aws_iam_service_linked_role')).toEqual({});
    const [[roleId, role]] = Object.entries(json.data('aws_iam_role'));
    expect(role).toEqual({ name: 'AWSServiceRoleForAutoScaling' });
    const ebs = json.where('aws_kms_key', (k) => k.description.endsWith('EBS volumes of EKS nodes and persistent volumes'));
    expect(ebs.map((k) => k.depends_on)).toEqual([[`data.aws_iam_role.${roleId}`]]);
  });
});

describe('PlatformKeys in other partitions', () => {
  test('uses the partition of the region in principals and conditions', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'us-gov-west-1' });
    new PlatformKeys(stack, 'keys', { platform: platformSpec({ aws: { region: 'us-gov-west-1', accountId: '111122223333' } }) });
    const text = Testing.synth(stack);
    expect(text).toContain('arn:aws-us-gov:iam::111122223333:root');
    expect(text).toContain('arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:*');
    expect(text).not.toContain('arn:aws:');
  });
});

describe('EncryptionKey', () => {
  test('rejects an alias outside alias/ or in the AWS-reserved alias/aws/ namespace', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const props = { description: 'x', accountId: '111122223333', partition: 'aws' };
    expect(() => new EncryptionKey(stack, 'a', { ...props, aliasName: 'acme/eks' })).toThrow(/use alias\/<name>/);
    expect(() => new EncryptionKey(stack, 'b', { ...props, aliasName: 'alias/aws/ebs' })).toThrow(/not alias\/aws/);
  });
});
