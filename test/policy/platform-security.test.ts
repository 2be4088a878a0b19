import { platformSecurityRules } from '../../src/policy/rules';
import { baseline, body, findingsOf, policyJson, triples, type Fixture } from './fixtures';

const EKS = 'aws_eks_cluster.eks_cluster_6F';
const DB = 'aws_db_instance.database_instance_8B';
const PROXY = 'aws_db_proxy.database_proxy_proxy_9C';
const ALB = 'aws_lb.edge_alb_F2';
const HTTPS = 'aws_lb_listener.edge_https_14';
const HTTP = 'aws_lb_listener.edge_http_25';
const ACL = 'aws_wafv2_web_acl.edge_waf_acl_36';
const REPO = 'aws_ecr_repository.registry_repository-api_69';
const ROLE_POLICY = 'aws_iam_role_policy.database_proxy_role-policy_7A';
const HELM = 'helm_release.services_istiod_helm_release_8B';

const allow = (action: unknown, extra: object = {}) => policyJson([{ Effect: 'Allow', Action: action, Resource: '*', ...extra }]);

/** [rule, what is broken, how, address, severity]: every case breaks exactly one rule in the platform stack. */
const cases: [string, string, (p: Fixture) => void, string, ('error' | 'warning')?][] = [
  ['TC-PLT-001', 'a key does not rotate', (p) => (body(p, 'aws_kms_key.keys_eks_1A').enable_key_rotation = false), 'aws_kms_key.keys_eks_1A'],
  ['TC-PLT-002', 'EKS secrets are not encrypted', (p) => delete body(p, EKS).encryption_config, EKS],
  ['TC-PLT-003', 'RDS storage is not encrypted', (p) => (body(p, DB).storage_encrypted = false), DB],
  ['TC-PLT-003', 'RDS uses the AWS managed key', (p) => delete body(p, DB).kms_key_id, DB],
  [
    'TC-PLT-004',
    'a log group has no KMS key',
    (p) => delete body(p, 'aws_cloudwatch_log_group.network_flow-logs_5E').kms_key_id,
    'aws_cloudwatch_log_group.network_flow-logs_5E',
  ],
  ['TC-PLT-005', 'ECR uses AES256', (p) => (body(p, REPO).encryption_configuration = [{ encryption_type: 'AES256' }]), REPO],
  ['TC-PLT-006', 'ECR tags are mutable', (p) => (body(p, REPO).image_tag_mutability = 'MUTABLE'), REPO, 'warning'],
  [
    'TC-PLT-007',
    'the endpoint is public to 0.0.0.0/0',
    (p) => Object.assign(body(p, EKS).vpc_config, { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] }),
    EKS,
  ],
  ['TC-PLT-007', 'the endpoint is public without CIDRs (AWS opens it to all)', (p) => (body(p, EKS).vpc_config.endpoint_public_access = true), EKS],
  ['TC-PLT-007', 'endpoint_public_access is left to its default (true)', (p) => delete body(p, EKS).vpc_config.endpoint_public_access, EKS],
  [
    'TC-PLT-008',
    'the audit log is off',
    (p) => (body(p, EKS).enabled_cluster_log_types = ['api', 'authenticator', 'controllerManager', 'scheduler']),
    EKS,
  ],
  ['TC-PLT-009', 'RDS is single-AZ', (p) => (body(p, DB).multi_az = false), DB],
  ['TC-PLT-010', 'RDS is public', (p) => (body(p, DB).publicly_accessible = true), DB],
  ['TC-PLT-011', 'RDS has no IAM auth', (p) => (body(p, DB).iam_database_authentication_enabled = false), DB],
  ['TC-PLT-012', 'rds.force_ssl is 0', (p) => (body(p, 'aws_db_parameter_group.database_parameter-group_7A').parameter[0].value = '0'), DB],
  ['TC-PLT-012', 'RDS uses the default parameter group', (p) => delete body(p, DB).parameter_group_name, DB],
  ['TC-PLT-013', 'RDS has no deletion protection', (p) => (body(p, DB).deletion_protection = false), DB],
  ['TC-PLT-014', 'RDS keeps backups 3 days', (p) => (body(p, DB).backup_retention_period = 3), DB],
  ['TC-PLT-015', 'the proxy accepts plaintext', (p) => (body(p, PROXY).require_tls = false), PROXY],
  ['TC-PLT-016', 'the proxy accepts passwords', (p) => (body(p, PROXY).auth[0].iam_auth = 'DISABLED'), PROXY],
  ['TC-PLT-017', 'HTTPS uses the 2016 policy', (p) => (body(p, HTTPS).ssl_policy = 'ELBSecurityPolicy-2016-08'), HTTPS],
  [
    'TC-PLT-017',
    'HTTPS uses a TLS13 policy that still accepts TLS 1.0',
    (p) => (body(p, HTTPS).ssl_policy = 'ELBSecurityPolicy-TLS13-1-0-2021-06'),
    HTTPS,
  ],
  [
    'TC-PLT-018',
    'HTTP forwards in plaintext',
    (p) => (body(p, HTTP).default_action = [{ type: 'forward', target_group_arn: '${aws_lb_target_group.tg.arn}' }]),
    HTTP,
  ],
  ['TC-PLT-018', 'HTTP redirects to HTTP', (p) => (body(p, HTTP).default_action[0].redirect.protocol = 'HTTP'), HTTP],
  [
    'TC-PLT-018',
    'a rule of the HTTP listener forwards',
    (p) => (p.json.resource.aws_lb_listener_rule = { api: { listener_arn: `\${${HTTP}.arn}`, action: [{ type: 'forward' }] } }),
    'aws_lb_listener_rule.api',
  ],
  ['TC-PLT-019', 'the ALB keeps invalid headers', (p) => (body(p, ALB).drop_invalid_header_fields = false), ALB],
  ['TC-PLT-020', 'the ALB writes no access logs', (p) => delete body(p, ALB).access_logs, ALB],
  ['TC-PLT-021', 'the ALB has no deletion protection', (p) => (body(p, ALB).enable_deletion_protection = false), ALB, 'warning'],
  ['TC-PLT-022', 'the ALB has no WAF', (p) => delete p.json.resource.aws_wafv2_web_acl_association, ALB],
  ['TC-PLT-023', 'the WAF has no managed rule group', (p) => (body(p, ACL).rule = body(p, ACL).rule.slice(0, 1)), ACL],
  ['TC-PLT-024', 'the WAF does not log', (p) => delete p.json.resource.aws_wafv2_web_acl_logging_configuration, ACL],
  [
    'TC-PLT-025',
    'the database security group admits SSH from anywhere',
    (p) =>
      (p.json.resource.aws_vpc_security_group_ingress_rule.ssh = {
        security_group_id: '${aws_security_group.database_security-group_BE.id}',
        ip_protocol: 'tcp',
        from_port: 22,
        to_port: 22,
        cidr_ipv4: '0.0.0.0/0',
      }),
    'aws_vpc_security_group_ingress_rule.ssh',
  ],
  [
    'TC-PLT-025',
    'the ALB security group admits 8080 from anywhere',
    (p) =>
      (p.json.resource.aws_vpc_security_group_ingress_rule.alt = {
        security_group_id: '${aws_security_group.edge_security-group_AD.id}',
        ip_protocol: 'tcp',
        from_port: 8080,
        to_port: 8080,
        cidr_ipv4: '0.0.0.0/0',
      }),
    'aws_vpc_security_group_ingress_rule.alt',
  ],
  [
    'TC-PLT-025',
    'an inline ingress admits ::/0',
    (p) =>
      (body(p, 'aws_security_group.database_security-group_BE').ingress = [{ from_port: 0, to_port: 0, protocol: '-1', ipv6_cidr_blocks: ['::/0'] }]),
    'aws_security_group.database_security-group_BE',
  ],
  [
    'TC-PLT-025',
    'a security group rule admits 0.0.0.0/0',
    (p) =>
      (p.json.resource.aws_security_group_rule = {
        open: {
          type: 'ingress',
          security_group_id: '${aws_security_group.database_security-group_BE.id}',
          protocol: 'tcp',
          from_port: 5432,
          to_port: 5432,
          cidr_blocks: ['0.0.0.0/0'],
        },
      }),
    'aws_security_group_rule.open',
  ],
  ['TC-PLT-026', 'a policy allows *', (p) => (body(p, ROLE_POLICY).policy = allow('*')), ROLE_POLICY],
  ['TC-PLT-026', 'a policy allows secretsmanager:*', (p) => (body(p, ROLE_POLICY).policy = allow(['secretsmanager:*'])), ROLE_POLICY],
  [
    'TC-PLT-026',
    'a policy allows with NotAction',
    (p) => (body(p, ROLE_POLICY).policy = policyJson([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }])),
    ROLE_POLICY,
  ],
  [
    'TC-PLT-026',
    "a role's inline_policy allows *",
    (p) =>
      (p.json.resource.aws_iam_role = { admin: { name: 'admin', assume_role_policy: '{}', inline_policy: [{ name: 'all', policy: allow('*') }] } }),
    'aws_iam_role.admin',
  ],
  ['TC-PLT-027', 'a policy allows ec2:Describe*', (p) => (body(p, ROLE_POLICY).policy = allow('ec2:Describe*')), ROLE_POLICY, 'warning'],
  ['TC-PLT-028', 'the VPC has no flow log', (p) => delete p.json.resource.aws_flow_log, 'aws_vpc.network_vpc_3C'],
  ['TC-PLT-029', 'a chart has a version range', (p) => (body(p, HELM).version = '~1.29.0'), HELM],
  ['TC-PLT-029', 'a chart has no version', (p) => delete body(p, HELM).version, HELM],
  ['TC-PLT-029', 'a chart has a pre-release tag (as tenantctl pins nothing)', (p) => (body(p, HELM).version = '1.29.0-rc.1'), HELM],
];

describe('platform security rules', () => {
  test('every rule has a failing case below', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(platformSecurityRules.map((r) => r.id)));
  });

  test.each(cases)('%s fires when %s', (id, _what, breakIt, address, severity = 'error') => {
    const b = baseline();
    breakIt(b.platform);
    const findings = findingsOf([b.platform, b.acme, b.globex]);
    expect(triples(findings)).toEqual([[id, 'platform', address]]);
    expect(findings[0].severity).toBe(severity);
  });

  describe('passing variants', () => {
    test.each<[string, (p: Fixture) => void]>([
      [
        'a public endpoint restricted to an office network',
        (p) => Object.assign(body(p, EKS).vpc_config, { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] }),
      ],
      [
        'an HTTP listener answering 503 (no domain yet) and no HTTPS listener',
        (p) => {
          delete p.json.resource.aws_lb_listener.edge_https_14;
          body(p, HTTP).default_action = [{ type: 'fixed-response', fixed_response: { status_code: '503', content_type: 'text/plain' } }];
        },
      ],
      ['the FS-1-2-Res TLS policy', (p) => (body(p, HTTPS).ssl_policy = 'ELBSecurityPolicy-FS-1-2-Res-2020-10')],
      ['a local chart without version', (p) => (p.json.resource.helm_release.local = { name: 'x', chart: './charts/x' })],
      ['a Deny statement with s3:*', (p) => (body(p, ROLE_POLICY).policy = policyJson([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]))],
      [
        'an asymmetric key without rotation',
        (p) => (p.json.resource.aws_kms_key.sign = { customer_master_key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' }),
      ],
      [
        'a policy document data source naming exact actions',
        (p) => {
          p.json.data = {
            aws_iam_policy_document: { doc: { statement: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] } },
          };
          body(p, ROLE_POLICY).policy = '${data.aws_iam_policy_document.doc.json}';
        },
      ],
    ])('GIVEN %s THEN nothing fires', (_what, change) => {
      const b = baseline();
      change(b.platform);
      expect(findingsOf([b.platform])).toEqual([]);
    });
  });

  test('GIVEN a policy written with jsonencode THEN its wildcard is still found', () => {
    const b = baseline();
    body(b.platform, ROLE_POLICY).policy =
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["kms:*"], "Resource" = ' +
      'aws_kms_key.keys_eks_1A.arn}]})}';
    expect(triples(findingsOf([b.platform]))).toEqual([['TC-PLT-026', 'platform', ROLE_POLICY]]);
  });

  test('GIVEN a policy that cannot be read THEN TC-PLT-026 warns', () => {
    const b = baseline();
    body(b.platform, ROLE_POLICY).policy = '${file("policy.json")}';
    const findings = findingsOf([b.platform]);
    expect(triples(findings)).toEqual([['TC-PLT-026', 'platform', ROLE_POLICY]]);
    expect(findings[0].severity).toBe('warning');
  });
});
