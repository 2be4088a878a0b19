import type { TerraformJson } from './aws-only';

/**
 * The checkov findings tenantctl accepts, each with its reason. Reviewed like code: a finding is
 * suppressed only where checkov is wrong about this configuration or the finding is a deliberate
 * design choice; where checkov is right, the generated code is fixed instead. A suppression that
 * matches no finding is an error (stale), so this list cannot silently accept a future regression.
 */
export interface CheckovSuppression {
  /** Checkov check id. */
  readonly check: string;
  /** Stack name pattern (`*` matches any characters): `platform`, `tenant-*`. */
  readonly stack: string;
  /** Resource address pattern, `<type>.<name>` with `*`: `aws_lb_listener.edge_http_*`. */
  readonly resource: string;
  /** Only in stacks where this holds. @default every stack the pattern matches */
  readonly when?: StackCondition;
  readonly reason: string;
}

export interface StackCondition {
  readonly description: string;
  readonly holds: (stack: TerraformJson) => boolean;
}

/** A platform without `domain`: no certificate, so its only listener is HTTP and answers 503. */
const WITHOUT_DOMAIN: StackCondition = {
  description: 'platform without a domain',
  holds: (stack) => !stack.resource?.aws_acm_certificate,
};

const NO_CERTIFICATE =
  'without a domain there is no certificate to serve HTTPS with: the only listener is HTTP and answers a fixed 503 that forwards nothing ' +
  '(set domain in platform.json for HTTPS)';

export const CHECKOV_SUPPRESSIONS: readonly CheckovSuppression[] = [
  {
    check: 'CKV2_AWS_34',
    stack: 'platform',
    resource: 'aws_ssm_parameter.pooled-user-pool-id',
    reason:
      "the parameter holds the pooled user pool's id, which is no secret (every token's issuer and the public JWKS URL carry it): a " +
      "SecureString would give every pooled tenant's run role kms:Decrypt and mark the issuer sensitive in the tenant's manifests",
  },
  { check: 'CKV_AWS_2', stack: 'platform', resource: 'aws_lb_listener.edge_http_*', when: WITHOUT_DOMAIN, reason: NO_CERTIFICATE },
  { check: 'CKV_AWS_103', stack: 'platform', resource: 'aws_lb_listener.edge_http_*', when: WITHOUT_DOMAIN, reason: NO_CERTIFICATE },
  { check: 'CKV2_AWS_20', stack: 'platform', resource: 'aws_lb.edge_alb_*', when: WITHOUT_DOMAIN, reason: NO_CERTIFICATE },
  {
    check: 'CKV_AWS_260',
    stack: 'platform',
    resource: 'aws_vpc_security_group_ingress_rule.edge_ingress-80_*',
    reason:
      'the internet-facing ALB takes port 80 only to redirect to HTTPS (or answer 503 without a domain); nothing else admits the internet ' +
      '(tenantctl validate TC-PLT-025)',
  },
  {
    check: 'CKV_AWS_378',
    stack: 'platform',
    resource: 'aws_lb_target_group.edge_target-group_*',
    reason:
      'TLS ends at the ALB, which forwards HTTP inside the VPC to the Istio ingress gateway pods; from the gateway on, traffic is mesh mTLS ' +
      '(re-encrypting to the gateway needs a gateway certificate: a design change, not a flag)',
  },
  {
    check: 'CKV2_AWS_76',
    stack: 'platform',
    resource: 'aws_lb.edge_alb_*',
    reason:
      'the web ACL has AWSManagedRulesKnownBadInputsRuleSet (the Log4j rules); the check also demands AWSManagedRulesAnonymousIpList, whose ' +
      "hosting-provider list would block tenants' own server-to-server clients running in clouds",
  },
  {
    check: 'CKV2_AWS_71',
    stack: 'platform',
    resource: 'aws_acm_certificate.edge_certificate_*',
    reason:
      'tenants are served as <tenant>.<domain>: one wildcard certificate covers every tenant, where a certificate per tenant would grow the ' +
      'shared listener with each tenant (25 certificates per ALB listener by default)',
  },
  {
    check: 'CKV_AWS_145',
    stack: 'platform',
    resource: 'aws_s3_bucket.edge_access-logs_bucket_*',
    reason:
      'ALB access log delivery writes only to buckets encrypted with SSE-S3 (AES256), not SSE-KMS; the bucket is private, TLS-only and ' +
      'written only by the log delivery service',
  },
  {
    check: 'CKV_AWS_18',
    stack: 'platform',
    resource: 'aws_s3_bucket.edge_access-logs_bucket_*',
    reason:
      'this bucket holds access logs itself: logging its own accesses needs yet another log bucket (and that one another), with nothing ' +
      'read from it but the logs',
  },
  {
    check: 'CKV_AWS_144',
    stack: 'platform',
    resource: 'aws_s3_bucket.edge_access-logs_bucket_*',
    reason:
      "access logs are kept for a year in the platform's region (versioned, lifecycle-expired); the platform has no second region to " +
      'replicate them to',
  },
  {
    check: 'CKV2_AWS_62',
    stack: 'platform',
    resource: 'aws_s3_bucket.edge_access-logs_bucket_*',
    reason: 'nothing consumes events of the access log bucket; log files are read on demand during an investigation',
  },
  {
    check: 'CKV2_AWS_5',
    stack: 'platform',
    resource: 'aws_security_group.database_proxy_security-group_*',
    reason:
      "the security group is attached to the RDS Proxy (aws_db_proxy.vpc_security_group_ids), a resource type checkov's list of security " +
      'group users does not have',
  },
  {
    check: 'CKV2_AWS_57',
    stack: 'workspaces',
    resource: 'aws_secretsmanager_secret.agent-token-secret_*',
    reason:
      'the secret holds the Terraform Cloud agent token that tfe_agent_token in the same stack mints: a new token is made by replacing that ' +
      'resource (the secret version follows); a Secrets Manager rotation Lambda would need a Terraform Cloud credential able to mint agent tokens',
  },
  {
    check: 'CKV2_AWS_57',
    stack: 'platform',
    resource: 'aws_secretsmanager_secret.ratelimit_auth-token_*',
    reason:
      'the Valkey AUTH token is rotated with Terraform (replace the secret version; ElastiCache accepts old and new until clients switch, ' +
      'and the cluster stack copies the new one): a rotation Lambda would change it behind both stacks',
  },
];
