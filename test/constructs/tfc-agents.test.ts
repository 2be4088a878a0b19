import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Testing, TerraformStack } from 'cdktf';
import { TfcAgents } from '../../stacks/constructs/agents/tfc-agents';
import { agentUserData } from '../../stacks/constructs/agents/user-data';
import { TFC_AGENT_VERSION, agentArchitecture } from '../../stacks/constructs/agents/tfc-agent-release';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { platformSpec, SynthJson } from '../util';

const SUBNETS = ['subnet-a', 'subnet-b', 'subnet-c'];
const EBS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/ebs';
const API_SG = 'sg-eks-api';
const TFC: Partial<PlatformConfig> = { terraformCloud: { organization: 'acme-corp' } } as Partial<PlatformConfig>;

function synth(overrides: Partial<PlatformConfig> = TFC) {
  const stack = new TerraformStack(Testing.app(), 'platform');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  // Stands for the NAT routes and the S3 endpoint the Auto Scaling group must wait for.
  const egress = new Route(stack, 'private-default-route', { routeTableId: 'rtb-0123', destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-0123' });
  new TfcAgents(stack, 'tfc-agents', {
    platform: platformSpec(overrides),
    vpcId: 'vpc-0123',
    subnetIds: SUBNETS,
    ebsKmsKeyArn: EBS_KEY,
    clusterApiSecurityGroupId: API_SG,
    egress: [egress],
  });
  return SynthJson.parse(Testing.synth(stack));
}

const ref = (json: SynthJson, type: string, attr: string) => `\${${type}.${json.idOf(type)}.${attr}}`;
const dataRef = (json: SynthJson, type: string, attr: string) => `\${data.${type}.${Object.keys(json.data(type))[0]}.${attr}}`;
const userDataOf = (json: SynthJson) => Buffer.from(json.one('aws_launch_template').user_data, 'base64').toString('utf8');

describe('TfcAgents: Auto Scaling group (defaults: 2 x m6i.large)', () => {
  test("waits for the private subnets' way out: an agent booted before NAT cannot install tfc-agent", () => {
    const json = synth();
    expect(json.one('aws_autoscaling_group').depends_on).toEqual([`aws_route.${json.idOf('aws_route')}`]);
    expect(userDataOf(json)).toContain('for attempt in 1 2 3 4 5 6 7 8 9 10; do dnf install -y unzip && break;');
  });

  const json = synth();
  const asg = json.one('aws_autoscaling_group');

  test('runs exactly terraformCloud.agents.count agents in the private subnets, from the latest launch template', () => {
    expect(asg).toMatchObject({
      name: 'acme-prod-terraform-agents',
      vpc_zone_identifier: SUBNETS,
      min_size: 2,
      max_size: 2,
      desired_capacity: 2,
      health_check_type: 'EC2',
      launch_template: { id: ref(json, 'aws_launch_template', 'id'), version: ref(json, 'aws_launch_template', 'latest_version') },
      tag: [{ key: 'Name', value: 'acme-prod-terraform-agents', propagate_at_launch: false }],
    });
  });

  test('replaces agents launch-first, rolls them on a new launch template, and holds a terminating one while it drains', () => {
    expect(asg.instance_maintenance_policy).toEqual({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
    expect(asg.instance_refresh).toEqual({ strategy: 'Rolling', preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200 } });
    expect(asg.initial_lifecycle_hook).toEqual([
      { name: 'drain-agent', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeat_timeout: 7200, default_result: 'CONTINUE' },
    ]);
  });
});

describe('TfcAgents: launch template', () => {
  const json = synth();
  const template = json.one('aws_launch_template');

  test('boots the latest Amazon Linux 2023 AMI through its public SSM parameter, resolved at launch', () => {
    expect(template).toMatchObject({
      name: 'acme-prod-terraform-agents',
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      instance_type: 'm6i.large',
      update_default_version: true,
      iam_instance_profile: { arn: ref(json, 'aws_iam_instance_profile', 'arn') },
      instance_initiated_shutdown_behavior: 'terminate',
    });
  });

  test('requires IMDSv2 with a hop limit of 1, IPv4 only, no instance tags in the metadata', () => {
    expect(template.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      http_protocol_ipv6: 'disabled',
      instance_metadata_tags: 'disabled',
    });
  });

  test('encrypts the gp3 root volume with the given key', () => {
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_size: 30, volume_type: 'gp3', encrypted: 'true', kms_key_id: EBS_KEY, delete_on_termination: 'true' },
      },
    ]);
  });

  test('gives the instance no public IP and only the agents security group; no key pair', () => {
    expect(template.network_interfaces).toEqual([
      {
        device_index: 0,
        associate_public_ip_address: 'false',
        delete_on_termination: 'true',
        security_groups: [ref(json, 'aws_security_group', 'id')],
      },
    ]);
    expect(template.key_name).toBeUndefined();
    expect(template.vpc_security_group_ids).toBeUndefined();
  });

  test('tags instances, volumes and interfaces with the provider default tags and a Name', () => {
    const tags = `\${merge(${dataRef(json, 'aws_default_tags', 'tags').slice(2, -1)}, {"Name" = "acme-prod-terraform-agents"})}`;
    expect(template.tag_specifications).toEqual(['instance', 'volume', 'network-interface'].map((resource_type) => ({ resource_type, tags })));
  });

  test('carries the user data for its instance type and platform', () => {
    expect(userDataOf(json)).toBe(
      agentUserData({
        hostname: 'app.terraform.io',
        region: 'eu-west-1',
        tokenSecretName: 'acme-prod-terraform-agent-token',
        architecture: agentArchitecture('m6i.large'),
      }),
    );
  });
});

describe('TfcAgents: network and IAM', () => {
  const json = synth();

  test('the security group admits nothing and lets out HTTPS only: to the internet and AWS APIs, and to the cluster API', () => {
    expect(json.one('aws_security_group')).toMatchObject({ name: 'acme-prod-terraform-agents', vpc_id: 'vpc-0123' });
    expect(json.one('aws_security_group').ingress).toBeUndefined();
    expect(json.one('aws_security_group').egress).toBeUndefined();
    expect(json.resources('aws_vpc_security_group_ingress_rule')).toEqual({});
    const sg = ref(json, 'aws_security_group', 'id');
    const egress = Object.values(json.resources('aws_vpc_security_group_egress_rule')).map(({ description: _description, ...rule }: any) => rule);
    expect(egress).toHaveLength(2);
    expect(egress).toEqual(
      expect.arrayContaining([
        { security_group_id: sg, ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' },
        { security_group_id: sg, ip_protocol: 'tcp', from_port: 443, to_port: 443, referenced_security_group_id: API_SG },
      ]),
    );
  });

  test('the instance role trusts EC2 and may use Session Manager and read the token secret, nothing else', () => {
    const role = json.one('aws_iam_role');
    expect(role.name).toBe('acme-prod-terraform-agent');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(json.one('aws_iam_role_policy_attachment')).toEqual({
      role: ref(json, 'aws_iam_role', 'name'),
      policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    });
    const secret = dataRef(json, 'aws_secretsmanager_secret', 'arn');
    const policy = json.one('aws_iam_role_policy');
    expect(policy.role).toBe(ref(json, 'aws_iam_role', 'name'));
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: 'ReadAgentToken', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret] },
      {
        Sid: 'DecryptAgentTokenThroughSecretsManager',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [dataRef(json, 'aws_kms_key', 'arn')],
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
          ArnEquals: { 'kms:EncryptionContext:SecretARN': secret },
        },
      },
    ]);
    expect(json.one('aws_iam_instance_profile')).toEqual({ name: 'acme-prod-terraform-agent', role: ref(json, 'aws_iam_role', 'name') });
  });

  test('finds the token secret and its key by the names the workspaces stack gives them', () => {
    expect(Object.values(json.data('aws_secretsmanager_secret'))).toEqual([{ name: 'acme-prod-terraform-agent-token' }]);
    expect(Object.values(json.data('aws_kms_key'))).toEqual([{ key_id: 'alias/acme-prod/terraform-agent-token' }]);
  });
});

describe('TfcAgents: configuration', () => {
  test('a Graviton instance type boots the arm64 AMI and installs the arm64 release', () => {
    const json = synth({ terraformCloud: { organization: 'acme-corp', agents: { instanceType: 'm7g.large', count: 3 } } } as Partial<PlatformConfig>);
    expect(json.one('aws_launch_template')).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      instance_type: 'm7g.large',
    });
    expect(json.one('aws_autoscaling_group')).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3 });
    expect(userDataOf(json)).toContain(`tfc-agent_${TFC_AGENT_VERSION}_linux_arm64.zip`);
    expect(userDataOf(json)).not.toContain('amd64');
  });

  test('registers with the configured Terraform Enterprise host', () => {
    const json = synth({ terraformCloud: { organization: 'acme-corp', hostname: 'tfe.example.com' } } as Partial<PlatformConfig>);
    expect(userDataOf(json)).toContain('Environment=TFC_ADDRESS=https://tfe.example.com\n');
  });

  test.each([
    ['no Terraform Cloud', {}],
    ['a named agent pool', { terraformCloud: { organization: 'acme-corp', agentPool: 'shared' } }],
  ])('refuses to run with %s (then tenantctl creates no agents)', (_, overrides) => {
    expect(() => synth(overrides as Partial<PlatformConfig>)).toThrow('TfcAgents needs terraformCloud in platform.json without an agentPool');
  });
});
