import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { Network } from '../../stacks/constructs/network/network';
import { INTERFACE_ENDPOINT_SERVICES } from '../../stacks/constructs/network/vpc-endpoints';
import { platformSchema, type PlatformConfig } from '../../src/model/platform-schema';
import { parseWith } from '../../src/model/project';
import { platformConfig, platformSpec, SynthJson } from '../util';

const LOGS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/logs';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

function synth(overrides: Partial<PlatformConfig> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const network = new Network(stack, 'network', { platform: platformSpec(overrides), flowLogsKmsKeyArn: LOGS_KEY });
  for (const member of ['vpcId', 'publicSubnetIds', 'privateSubnetIds', 'databaseSubnetIds'] as const) {
    new TerraformOutput(stack, member, { value: network[member] });
  }
  return { network, json: SynthJson.parse(Testing.synth(stack)) };
}

const ref = (json: SynthJson, type: string, attr: string, predicate?: (r: any) => boolean) => `\${${type}.${json.idOf(type, predicate)}.${attr}}`;
const subnetsOf = (json: SynthJson, tier: string) =>
  Object.entries(json.resources('aws_subnet'))
    .filter(([, s]) => new RegExp(`^acme-[a-z0-9]+-${tier}-`).test(s.tags.Name))
    .sort(([, a], [, b]) => a.availability_zone.localeCompare(b.availability_zone));

describe('Network: VPC and subnets (production defaults)', () => {
  const { network, json } = synth();
  const vpcRef = ref(json, 'aws_vpc', 'id');

  test('creates the VPC with DNS support and hostnames, named by platformNames', () => {
    expect(json.one('aws_vpc')).toMatchObject({
      cidr_block: '10.0.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: 'acme-prod-vpc' },
    });
    expect(network.vpcCidr).toBe('10.0.0.0/16');
    expect(json.json.output.vpcId.value).toBe(vpcRef);
  });

  test('lays out one public, private and database subnet per AZ from the resolved CIDR plan', () => {
    const plan = {
      public: ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'],
      private: ['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20'],
      database: ['10.0.200.0/24', '10.0.201.0/24', '10.0.202.0/24'],
    };
    for (const [tier, cidrs] of Object.entries(plan)) {
      const subnets = subnetsOf(json, tier).map(([, s]) => s);
      expect(subnets.map((s) => s.cidr_block)).toEqual(cidrs);
      expect(subnets.map((s) => s.availability_zone)).toEqual(AZS);
      for (const s of subnets) expect(s).toMatchObject({ vpc_id: vpcRef, map_public_ip_on_launch: false });
    }
    expect(Object.keys(json.resources('aws_subnet'))).toHaveLength(9);
    expect(network.privateSubnetCidrs).toEqual(plan.private);
  });

  test('tags subnets for load balancer discovery: public for internet-facing, private for internal', () => {
    const cluster = 'kubernetes.io/cluster/acme-prod';
    for (const [, s] of subnetsOf(json, 'public'))
      expect(s.tags).toEqual({ Name: expect.any(String), 'kubernetes.io/role/elb': '1', [cluster]: 'shared' });
    for (const [, s] of subnetsOf(json, 'private'))
      expect(s.tags).toEqual({ Name: expect.any(String), 'kubernetes.io/role/internal-elb': '1', [cluster]: 'shared' });
    for (const [, s] of subnetsOf(json, 'database')) expect(Object.keys(s.tags)).toEqual(['Name']);
  });

  test('exposes subnet ids per tier in AZ order', () => {
    for (const [tier, output] of [
      ['public', 'publicSubnetIds'],
      ['private', 'privateSubnetIds'],
      ['database', 'databaseSubnetIds'],
    ] as const) {
      expect(json.json.output[output].value).toEqual(subnetsOf(json, tier).map(([id]) => `\${aws_subnet.${id}.id}`));
    }
  });

  test('empties the default security group', () => {
    const sg = json.one('aws_default_security_group');
    expect(sg.vpc_id).toBe(vpcRef);
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });
});

describe('Network: routing', () => {
  const { json } = synth();
  const routes = Object.values(json.resources('aws_route'));
  const tableOf = (subnetId: string) =>
    json.where('aws_route_table_association', (a) => a.subnet_id === `\${aws_subnet.${subnetId}.id}`).map((a) => a.route_table_id);

  test('routes the public subnets to the internet gateway through one shared table', () => {
    const tables = subnetsOf(json, 'public').flatMap(([id]) => tableOf(id));
    expect(new Set(tables).size).toBe(1);
    const igw = ref(json, 'aws_internet_gateway', 'id');
    expect(routes.filter((r) => r.gateway_id === igw)).toEqual([{ route_table_id: tables[0], destination_cidr_block: '0.0.0.0/0', gateway_id: igw }]);
  });

  test('in production, puts one NAT gateway with its own EIP in each public subnet and routes each AZ to its own', () => {
    const nats = Object.entries(json.resources('aws_nat_gateway'));
    expect(nats).toHaveLength(3);
    const publicIds = subnetsOf(json, 'public').map(([id]) => `\${aws_subnet.${id}.id}`);
    expect(nats.map(([, n]) => n.subnet_id)).toEqual(publicIds);
    const eips = Object.entries(json.resources('aws_eip'));
    expect(eips).toHaveLength(3);
    for (const [, e] of eips) expect(e.domain).toBe('vpc');
    expect(nats.map(([, n]) => n.allocation_id).sort()).toEqual(eips.map(([id]) => `\${aws_eip.${id}.allocation_id}`).sort());
    subnetsOf(json, 'private').forEach(([id], i) => {
      const [table] = tableOf(id);
      expect(routes.filter((r) => r.route_table_id === table)).toEqual([
        { route_table_id: table, destination_cidr_block: '0.0.0.0/0', nat_gateway_id: `\${aws_nat_gateway.${nats[i][0]}.id}` },
      ]);
    });
  });

  test('gives the database subnets a table with no routes: nothing leaves the VPC', () => {
    const tables = subnetsOf(json, 'database').flatMap(([id]) => tableOf(id));
    expect(tables).toHaveLength(3);
    expect(new Set(tables).size).toBe(1);
    expect(routes.filter((r) => r.route_table_id === tables[0])).toEqual([]);
    const [tableId] = /aws_route_table\.([^.]+)\.id/.exec(tables[0])!.slice(1);
    expect(json.resources('aws_route_table')[tableId].route).toBeUndefined();
  });
});

describe('Network: single NAT gateway outside production', () => {
  const { json } = synth({ environment: 'dev' });

  test('creates one NAT gateway in the first public subnet and routes every private subnet to it', () => {
    const nat = json.one('aws_nat_gateway');
    const firstPublic = subnetsOf(json, 'public')[0][0];
    expect(nat.subnet_id).toBe(`\${aws_subnet.${firstPublic}.id}`);
    expect(Object.keys(json.resources('aws_eip'))).toHaveLength(1);
    const natRef = ref(json, 'aws_nat_gateway', 'id');
    expect(json.where('aws_route', (r) => r.nat_gateway_id === natRef)).toHaveLength(3);
  });

  test('honours an explicit natGateways setting over the environment default', () => {
    const { json: perAz } = synth({ environment: 'dev', network: { natGateways: 'per-az' } });
    expect(Object.keys(perAz.resources('aws_nat_gateway'))).toHaveLength(3);
  });
});

describe('Network: two AZs and custom subnets', () => {
  test('follows availabilityZones and the given CIDRs', () => {
    const { json } = synth({
      network: {
        vpcCidr: '10.20.0.0/16',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        publicSubnets: ['10.20.0.0/24', '10.20.1.0/24'],
        privateSubnets: ['10.20.64.0/18', '10.20.128.0/18'],
        databaseSubnets: ['10.20.2.0/24', '10.20.3.0/24'],
      },
    });
    expect(subnetsOf(json, 'private').map(([, s]) => [s.availability_zone, s.cidr_block])).toEqual([
      ['eu-west-1a', '10.20.64.0/18'],
      ['eu-west-1b', '10.20.128.0/18'],
    ]);
    expect(Object.keys(json.resources('aws_nat_gateway'))).toHaveLength(2);
  });
});

describe('Network: flow logs', () => {
  const { json } = synth();
  const group = json.one('aws_cloudwatch_log_group');
  const groupArn = ref(json, 'aws_cloudwatch_log_group', 'arn');
  const role = json.one('aws_iam_role');
  const roleId = json.idOf('aws_iam_role');

  test('records ALL traffic of the VPC into the KMS-encrypted flow log group', () => {
    expect(group).toEqual({ name: '/aws/vpc/acme-prod/flow-logs', kms_key_id: LOGS_KEY, retention_in_days: 365 });
    expect(json.one('aws_flow_log')).toMatchObject({
      vpc_id: ref(json, 'aws_vpc', 'id'),
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: groupArn,
      iam_role_arn: `\${aws_iam_role.${roleId}.arn}`,
    });
  });

  test('keeps flow logs as long as network.flowLogRetentionDays says', () => {
    const { json: short } = synth({ network: { flowLogRetentionDays: 90 } });
    expect(short.one('aws_cloudwatch_log_group').retention_in_days).toBe(90);
  });

  test('delivers through a role only VPC flow logs of this account can assume', () => {
    expect(role.name).toBe('acme-prod-vpc-flow-logs');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111122223333' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*' },
        },
      },
    ]);
  });

  test("whose policy names the flow log group's ARN and no wildcard action", () => {
    const policy = json.one('aws_iam_role_policy');
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.name}`);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'WriteFlowLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [groupArn, `${groupArn}:*`],
      },
    ]);
  });
});

describe('Network: VPC endpoints', () => {
  const { json } = synth();
  const vpcRef = ref(json, 'aws_vpc', 'id');
  const endpoints = Object.values(json.resources('aws_vpc_endpoint'));
  const lookups = json.data('aws_vpc_endpoint_service');
  const serviceOf = (endpoint: any) => {
    const id = /data\.aws_vpc_endpoint_service\.([^.]+)\.service_name/.exec(endpoint.service_name)![1];
    return lookups[id];
  };

  test('routes S3 through a gateway endpoint on every private route table', () => {
    const [s3] = endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway');
    expect(serviceOf(s3)).toEqual({ service: 's3', service_type: 'Gateway' });
    const privateTables = subnetsOf(json, 'private').flatMap(([id]) =>
      json.where('aws_route_table_association', (a) => a.subnet_id === `\${aws_subnet.${id}.id}`).map((a) => a.route_table_id),
    );
    expect(s3.route_table_ids).toEqual(privateTables);
    expect(s3.vpc_id).toBe(vpcRef);
  });

  test('puts interface endpoints with private DNS for ECR, STS, Logs, EC2 and ELB in the private subnets', () => {
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => serviceOf(e).service).sort()).toEqual(['ec2', 'ecr.api', 'ecr.dkr', 'elasticloadbalancing', 'logs', 'sts']);
    expect([...INTERFACE_ENDPOINT_SERVICES].sort()).toEqual(['ec2', 'ecr.api', 'ecr.dkr', 'elasticloadbalancing', 'logs', 'sts']);
    const privateIds = subnetsOf(json, 'private').map(([id]) => `\${aws_subnet.${id}.id}`);
    const sgRef = ref(json, 'aws_security_group', 'id');
    for (const e of interfaces) {
      expect(serviceOf(e).service_type).toBe('Interface');
      expect(e).toMatchObject({ vpc_id: vpcRef, private_dns_enabled: true, subnet_ids: privateIds, security_group_ids: [sgRef] });
    }
  });

  test('lets only HTTPS from the VPC CIDR reach the endpoints, every rule described', () => {
    expect(json.one('aws_security_group')).toMatchObject({ name: 'acme-prod-vpc-endpoints', vpc_id: vpcRef });
    expect(json.one('aws_security_group').ingress).toBeUndefined();
    expect(json.one('aws_vpc_security_group_ingress_rule')).toEqual({
      security_group_id: ref(json, 'aws_security_group', 'id'),
      description: 'HTTPS to AWS APIs from the VPC',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
      cidr_ipv4: '10.0.0.0/16',
    });
    expect(json.resources('aws_vpc_security_group_egress_rule')).toEqual({});
  });
});

describe('Network: validation', () => {
  test('subnet lists that do not match the AZs are refused by the schema, naming the field, before the construct runs', () => {
    const config = platformConfig({ network: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], databaseSubnets: ['10.0.200.0/24'] } });
    expect(() => parseWith(platformSchema, config, 'platform.json')).toThrow(
      /network\.databaseSubnets: needs one subnet per availability zone \(3\), got 1/,
    );
  });
});
