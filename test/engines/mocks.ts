/**
 * What the mocked AWS provider returns where a bare mock would break a plan that the real provider
 * plans: a mock fills computed attributes of data sources with random strings and empty blocks,
 * but the stacks index them (`identity[0].oidc[0].issuer`), split them (an RDS Proxy ARN) or pass
 * them to arguments the provider validates as ARNs. The values have the real formats, in an
 * example account and region; nothing depends on their content.
 */

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const ISSUER = `oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E`;
const VPC = 'vpc-0123456789abcdef0';
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'];

/** `mock_data` defaults per data source type. */
export const MOCK_DATA: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  aws_eks_cluster: {
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/example`,
    identity: [{ oidc: [{ issuer: `https://${ISSUER}` }] }],
    certificate_authority: [{ data: Buffer.from('-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n').toString('base64') }],
    endpoint: `https://EXAMPLE0123456789.gr7.${REGION}.eks.amazonaws.com`,
    vpc_config: [{ subnet_ids: SUBNETS, cluster_security_group_id: 'sg-0123456789abcdef0', vpc_id: VPC }],
  },
  aws_iam_openid_connect_provider: { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`, url: ISSUER },
  aws_db_proxy: {
    arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db-proxy:prx-0123456789abcdef0`,
    endpoint: `example.proxy-abcdefghijkl.${REGION}.rds.amazonaws.com`,
  },
  aws_db_instance: { arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:example`, resource_id: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0' },
  aws_kms_key: { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
  aws_iam_role: { arn: `arn:aws:iam::${ACCOUNT}:role/example` },
  aws_vpc: { id: VPC },
  // The STS interface endpoint has one network interface per private subnet (StsEndpointAddresses indexes them).
  aws_vpc_endpoint: {
    id: 'vpce-0123456789abcdef0',
    network_interface_ids: ['eni-0123456789abcdef0', 'eni-0123456789abcdef1', 'eni-0123456789abcdef2'],
  },
  aws_network_interface: { private_ip: '10.0.32.10' },
  aws_subnets: { ids: SUBNETS },
  aws_route53_zone: { zone_id: 'Z0123456789EXAMPLE' },
  // The pooled user pool's id, which a pooled tenant stack reads from the platform's parameter (its issuer is built from it).
  aws_ssm_parameter: { type: 'String', insecure_value: `${REGION}_EXAMPLE01`, value: `${REGION}_EXAMPLE01` },
  aws_caller_identity: { account_id: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/example/session`, user_id: 'AROAEXAMPLEID:session' },
  aws_iam_session_context: { issuer_arn: `arn:aws:iam::${ACCOUNT}:role/example`, issuer_name: 'example' },
  aws_lb_target_group: { arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/example/0123456789abcdef` },
  aws_secretsmanager_secret: { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:example-AbCdEf` },
  // What the stacks ask for: 64 letters and digits (an ElastiCache AUTH token takes 16 to 128).
  aws_secretsmanager_random_password: { random_password: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2' },
};

/** An ACM certificate's ARN, for the plan-time override of its validation options. */
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** `mock_provider` blocks for the given provider aliases, each with the data source defaults. */
export function mockProviders(aliases: readonly string[]): string[] {
  const data = Object.entries(MOCK_DATA).map(([type, defaults]) => `  mock_data "${type}" {\n    defaults = ${JSON.stringify(defaults)}\n  }`);
  return aliases.map((alias) => [`mock_provider "aws" {`, `  alias = "${alias}"`, ...data, '}'].join('\n'));
}
