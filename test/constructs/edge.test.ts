import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { aliasRecordTypes, Edge, NO_DOMAIN_MESSAGE, type EdgeProps } from '../../stacks/constructs/edge/edge';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { platformSpec, SynthJson } from '../util';

const LOGS_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/logs';

function synth(overrides: Partial<PlatformConfig> = {}, props: Partial<EdgeProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const edge = new Edge(stack, 'edge', {
    platform: platformSpec(overrides),
    vpcId: 'vpc-0123',
    vpcCidr: '10.0.0.0/16',
    publicSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    logsKmsKeyArn: LOGS_KEY,
    gatewayPort: 8080,
    gatewayHealthPort: 15021,
    ...props,
  });
  for (const member of ['albArn', 'albDnsName', 'albSecurityGroupId', 'targetGroupArn', 'webAclArn'] as const) {
    new TerraformOutput(stack, member, { value: edge[member] });
  }
  return { edge, json: SynthJson.parse(Testing.synth(stack)) };
}

const ref = (json: SynthJson, type: string, attr: string, predicate?: (r: any) => boolean) => `\${${type}.${json.idOf(type, predicate)}.${attr}}`;

describe('Edge: load balancer', () => {
  const { json } = synth();
  const alb = json.one('aws_lb');

  test('is internet-facing in the public subnets behind its own security group', () => {
    expect(alb).toMatchObject({
      name: 'acme-prod-alb',
      internal: false,
      load_balancer_type: 'application',
      subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
    });
    expect(alb.security_groups).toEqual([ref(json, 'aws_security_group', 'id')]);
    expect(json.json.output.albArn.value).toBe(ref(json, 'aws_lb', 'arn'));
    expect(json.json.output.albDnsName.value).toBe(ref(json, 'aws_lb', 'dns_name'));
  });

  test('drops invalid headers, mitigates desync strictly and is protected against deletion', () => {
    expect(alb).toMatchObject({ drop_invalid_header_fields: true, desync_mitigation_mode: 'strictest', enable_deletion_protection: true });
  });

  test('writes access logs to the log bucket once the bucket policy allows it', () => {
    expect(alb.access_logs).toEqual({ bucket: ref(json, 'aws_s3_bucket', 'id'), enabled: true });
    expect(alb.depends_on).toEqual([`aws_s3_bucket_policy.${json.idOf('aws_s3_bucket_policy')}`]);
  });
});

describe('Edge: access log bucket', () => {
  const { json } = synth();
  const bucketRef = ref(json, 'aws_s3_bucket', 'id');
  const bucketArn = ref(json, 'aws_s3_bucket', 'arn');

  test('is named after the platform and account', () => {
    expect(json.one('aws_s3_bucket').bucket).toBe('acme-prod-111122223333-alb-logs');
  });

  test('blocks all public access and enforces bucket-owner ownership', () => {
    expect(json.one('aws_s3_bucket_public_access_block')).toEqual({
      bucket: bucketRef,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(json.one('aws_s3_bucket_ownership_controls')).toEqual({ bucket: bucketRef, rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  test('is versioned and encrypted with SSE-S3 (the only option ALB log delivery supports)', () => {
    expect(json.one('aws_s3_bucket_versioning')).toEqual({ bucket: bucketRef, versioning_configuration: { status: 'Enabled' } });
    expect(json.one('aws_s3_bucket_server_side_encryption_configuration')).toEqual({
      bucket: bucketRef,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
  });

  test('expires logs after 365 days', () => {
    const lifecycle = json.one('aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.bucket).toBe(bucketRef);
    expect(lifecycle.rule).toEqual([expect.objectContaining({ status: 'Enabled', filter: [{}], expiration: [{ days: 365 }] })]);
  });

  test('lets only ELB log delivery write, only under this account, and denies non-TLS access', () => {
    const policy = json.one('aws_s3_bucket_policy');
    expect(policy.bucket).toBe(bucketRef);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'AllowElbLogDelivery',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::156460612806:root' },
        Action: 's3:PutObject',
        Resource: `${bucketArn}/AWSLogs/111122223333/*`,
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });
});

describe('Edge: access log delivery per region', () => {
  const deliveryPrincipal = (region: string) => {
    const { json } = synth({ aws: { region, accountId: '111122223333' } });
    return JSON.parse(json.one('aws_s3_bucket_policy').policy).Statement.find((s: any) => s.Sid === 'AllowElbLogDelivery').Principal;
  };

  test.each([
    ['us-east-1', 'arn:aws:iam::127311923021:root'],
    ['eu-central-1', 'arn:aws:iam::054676820928:root'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::048591011584:root'],
  ])('in %s, a region opened before August 2022, trusts its Elastic Load Balancing account', (region, principal) => {
    expect(deliveryPrincipal(region)).toEqual({ AWS: principal });
  });

  test.each(['ap-southeast-4', 'il-central-1'])('in %s, opened later, trusts the log-delivery service principal', (region) => {
    expect(deliveryPrincipal(region)).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
  });
});

describe('Edge: security group and target group', () => {
  const { json } = synth();
  const sg = ref(json, 'aws_security_group', 'id');

  test('admits 443 and 80 from the internet only', () => {
    const ingress = json.where('aws_vpc_security_group_ingress_rule', (r) => r.security_group_id === sg);
    expect(ingress.map((r) => [r.cidr_ipv4, r.ip_protocol, r.from_port, r.to_port]).sort()).toEqual([
      ['0.0.0.0/0', 'tcp', 443, 443],
      ['0.0.0.0/0', 'tcp', 80, 80],
    ]);
  });

  test('reaches only the gateway traffic and health ports inside the VPC', () => {
    const egress = json.where('aws_vpc_security_group_egress_rule', (r) => r.security_group_id === sg);
    expect(egress.map((r) => [r.cidr_ipv4, r.ip_protocol, r.from_port, r.to_port]).sort()).toEqual([
      ['10.0.0.0/16', 'tcp', 15021, 15021],
      ['10.0.0.0/16', 'tcp', 8080, 8080],
    ]);
    expect(json.json.output.albSecurityGroupId.value).toBe(sg);
  });

  test('every rule has a description', () => {
    const rules = [...json.where('aws_vpc_security_group_ingress_rule', () => true), ...json.where('aws_vpc_security_group_egress_rule', () => true)];
    expect(rules).toHaveLength(4);
    for (const rule of rules) expect(rule.description).toEqual(expect.any(String));
  });

  test('targets the gateway pods by IP and checks their readiness port', () => {
    expect(json.one('aws_lb_target_group')).toMatchObject({
      name: 'acme-prod-istio',
      target_type: 'ip',
      protocol: 'HTTP',
      port: 8080,
      vpc_id: 'vpc-0123',
      health_check: { enabled: true, protocol: 'HTTP', port: '15021', path: '/healthz/ready' },
    });
    expect(json.json.output.targetGroupArn.value).toBe(ref(json, 'aws_lb_target_group', 'arn'));
  });
});

describe('Edge: listeners with a domain', () => {
  const { edge, json } = synth({ domain: 'saas.example.com' });
  const listener = (port: number) => json.where('aws_lb_listener', (l) => l.port === port)[0];
  const validationArn = ref(json, 'aws_acm_certificate_validation', 'certificate_arn');
  const zoneRef = `\${data.aws_route53_zone.${Object.keys(json.data('aws_route53_zone'))[0]}.zone_id}`;

  test('a DNS-validated certificate covers the domain and its subdomains', () => {
    expect(json.one('aws_acm_certificate')).toMatchObject({
      domain_name: 'saas.example.com',
      subject_alternative_names: ['*.saas.example.com'],
      validation_method: 'DNS',
    });
    const zones = Object.values(json.data('aws_route53_zone'));
    expect(zones).toEqual([{ name: 'saas.example.com', private_zone: false }]);
    const isValidation = (r: any) => r.for_each !== undefined;
    const [record] = json.where('aws_route53_record', isValidation);
    expect(record.zone_id).toBe(zoneRef);
    expect(record.for_each).toContain(`aws_acm_certificate.${json.idOf('aws_acm_certificate')}.domain_validation_options`);
    expect(record).toMatchObject({
      name: '${each.value.resource_record_name}',
      type: '${each.value.resource_record_type}',
      records: ['${each.value.resource_record_value}'],
      allow_overwrite: true,
    });
    const validation = json.one('aws_acm_certificate_validation');
    expect(validation.certificate_arn).toBe(ref(json, 'aws_acm_certificate', 'arn'));
    expect(validation.validation_record_fqdns).toContain(`aws_route53_record.${json.idOf('aws_route53_record', isValidation)}`);
    expect(edge.certificateArn).toBeDefined();
  });

  test('HTTPS on 443 with the TLS 1.3 policy forwards to the gateway target group', () => {
    expect(listener(443)).toEqual({
      load_balancer_arn: ref(json, 'aws_lb', 'arn'),
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: validationArn,
      default_action: [{ type: 'forward', target_group_arn: ref(json, 'aws_lb_target_group', 'arn') }],
    });
  });

  test('*.domain is an A alias of the IPv4 ALB in the same zone, so tenant hosts resolve without a hand-made record', () => {
    const aliases = json.where('aws_route53_record', (r) => r.alias !== undefined);
    expect(aliases).toEqual([
      {
        zone_id: zoneRef,
        name: '*.saas.example.com',
        type: 'A',
        alias: { name: ref(json, 'aws_lb', 'dns_name'), zone_id: ref(json, 'aws_lb', 'zone_id'), evaluate_target_health: true },
        allow_overwrite: true,
      },
    ]);
    expect(json.one('aws_lb').ip_address_type).toBe('ipv4');
  });

  test('a dual-stack ALB would need an AAAA alias as well', () => {
    expect(aliasRecordTypes('ipv4')).toEqual(['A']);
    expect(aliasRecordTypes('dualstack')).toEqual(['A', 'AAAA']);
  });

  test('HTTP on 80 redirects permanently to HTTPS', () => {
    expect(listener(80)).toMatchObject({
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(Object.keys(json.resources('aws_lb_listener'))).toHaveLength(2);
  });
});

describe('Edge: listeners without a domain', () => {
  const { edge, json } = synth();

  test('only HTTP on 80, answering a fixed 503 that says how to enable HTTPS', () => {
    expect(json.one('aws_lb_listener')).toEqual({
      load_balancer_arn: ref(json, 'aws_lb', 'arn'),
      port: 80,
      protocol: 'HTTP',
      default_action: [
        { type: 'fixed-response', fixed_response: { status_code: '503', content_type: 'text/plain', message_body: NO_DOMAIN_MESSAGE } },
      ],
    });
    expect(NO_DOMAIN_MESSAGE).toBe('no domain configured: set domain in platform.json to serve tenants over HTTPS');
  });

  test('forwards no plaintext traffic and creates no certificate', () => {
    const actions = Object.values(json.resources('aws_lb_listener')).flatMap((l: any) => l.default_action);
    expect(actions.filter((a: any) => a.type === 'forward')).toEqual([]);
    expect(json.resources('aws_acm_certificate')).toEqual({});
    expect(json.data('aws_route53_zone')).toEqual({});
    expect(json.resources('aws_route53_record')).toEqual({});
    expect(edge.certificateArn).toBeUndefined();
  });
});

describe('Edge: WAF', () => {
  const { json } = synth({ edge: { rateLimitPerIp: 1500, logRetentionDays: 90 } });
  const acl = json.one('aws_wafv2_web_acl');
  const aclArn = ref(json, 'aws_wafv2_web_acl', 'arn');
  const rule = (name: string) => acl.rule.find((r: any) => r.name === name);
  const visible = { cloudwatch_metrics_enabled: true, metric_name: expect.any(String), sampled_requests_enabled: true };

  test('is a regional ACL that allows by default', () => {
    expect(acl).toMatchObject({ name: 'acme-prod-edge', scope: 'REGIONAL', default_action: { allow: {} }, visibility_config: visible });
    expect(json.json.output.webAclArn.value).toBe(aclArn);
  });

  test.each([
    'AWSManagedRulesCommonRuleSet',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesSQLiRuleSet',
    'AWSManagedRulesAmazonIpReputationList',
  ])('applies the AWS managed rule group %s as is', (group) => {
    expect(rule(group)).toMatchObject({
      override_action: { none: {} },
      statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
      visibility_config: visible,
    });
  });

  test('blocks an IP above the configured rate per 5 minutes', () => {
    expect(rule('rate-limit-per-ip')).toMatchObject({
      action: { block: {} },
      statement: { rate_based_statement: { limit: 1500, aggregate_key_type: 'IP', evaluation_window_sec: 300 } },
      visibility_config: visible,
    });
  });

  test('has five rules with distinct priorities', () => {
    expect(acl.rule).toHaveLength(5);
    expect(new Set(acl.rule.map((r: any) => r.priority)).size).toBe(5);
  });

  test('logs to an encrypted log group with credentials redacted', () => {
    expect(json.one('aws_cloudwatch_log_group')).toEqual({ name: 'aws-waf-logs-acme-prod', kms_key_id: LOGS_KEY, retention_in_days: 90 });
    expect(json.one('aws_wafv2_web_acl_logging_configuration')).toEqual({
      resource_arn: aclArn,
      log_destination_configs: [ref(json, 'aws_cloudwatch_log_group', 'arn')],
      redacted_fields: [{ single_header: { name: 'authorization' } }, { single_header: { name: 'cookie' } }],
    });
  });

  test('is associated with the ALB', () => {
    expect(json.one('aws_wafv2_web_acl_association')).toEqual({ resource_arn: ref(json, 'aws_lb', 'arn'), web_acl_arn: aclArn });
  });
});

describe('Edge: validation', () => {
  test('rejects a single public subnet', () => {
    expect(() => synth({}, { publicSubnetIds: ['subnet-a'] })).toThrow(/at least two availability zones.*got 1/);
  });

  test('rejects a port out of range', () => {
    expect(() => synth({}, { gatewayPort: 70000 })).toThrow(/gatewayPort 70000 is not a TCP port/);
  });
});
