import { EXACT_VERSION } from '../../model/versions';
import { at, block, blocks, identityPolicies, isTrue, refAddresses, resources, strings, type Json, type ResourceRef } from '../json';
import type { Rule, RuleContext, Severity, StackDocument, Violation } from '../types';

/**
 * Platform security: resource-level rules that hold in every stack (the platform stack holds
 * most of these resources; a tenant stack's log groups, IAM policies and node groups count too).
 */

type Check = (r: ResourceRef, stack: StackDocument) => string | string[] | undefined;

/** A rule that looks at each resource of some types on its own. */
function perResource(types: string[], check: Check, severity?: Severity): (ctx: RuleContext) => Violation[] {
  return (ctx) =>
    ctx.stacks.flatMap((stack) =>
      resources(stack, ...types).flatMap((r) => {
        const result = check(r, stack);
        const messages = result === undefined ? [] : Array.isArray(result) ? result : [result];
        return messages.map((message) => ({ stack: stack.name, address: r.address, message, severity }));
      }),
    );
}

const nameOf = (r: ResourceRef): string => String(r.body.name ?? r.body.identifier ?? r.id);

/** Application load balancers (the default type) of a stack. */
function applicationLoadBalancers(stack: StackDocument): ResourceRef[] {
  return resources(stack, 'aws_lb', 'aws_alb').filter((lb) => (lb.body.load_balancer_type ?? 'application') === 'application');
}

/** Whether `value` refers to a resource in `addresses`. */
const refersTo = (value: unknown, addresses: Set<string>) => refAddresses(value).some((a) => addresses.has(a));

export const kmsKeyRotation: Rule = {
  id: 'TC-PLT-001',
  title: 'KMS keys rotate',
  severity: 'error',
  rationale:
    'Yearly rotation of symmetric keys limits how much data one key version protects and is required by most compliance frameworks (CIS AWS 3.6).',
  remediation: 'Set enable_key_rotation = true on the aws_kms_key.',
  check: perResource(['aws_kms_key'], (r) => {
    const spec = r.body.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT';
    return spec === 'SYMMETRIC_DEFAULT' && !isTrue(r.body.enable_key_rotation) ? 'key rotation is off' : undefined;
  }),
};

export const eksSecretsEncryption: Rule = {
  id: 'TC-PLT-002',
  title: 'EKS encrypts Kubernetes secrets with a KMS key',
  severity: 'error',
  rationale:
    'Envelope encryption of secrets with a customer managed key keeps tenant secrets unreadable in etcd backups and lets access to them be ' +
    'audited and revoked.',
  remediation: 'Add encryption_config { resources = ["secrets"], provider { key_arn = <KMS key> } } to the aws_eks_cluster.',
  check: perResource(['aws_eks_cluster'], (r) => {
    const ok = blocks(r.body.encryption_config).some((c) => strings(c.resources).includes('secrets') && !!at(c.provider, 'key_arn'));
    return ok ? undefined : `cluster ${nameOf(r)} does not encrypt secrets with a KMS key`;
  }),
};

export const rdsEncryption: Rule = {
  id: 'TC-PLT-003',
  title: 'RDS storage is encrypted with a KMS key',
  severity: 'error',
  rationale:
    "All tenants' data lives in the shared database: it must be encrypted at rest with a customer managed key whose use is logged and can " +
    'be revoked.',
  remediation: "Set storage_encrypted = true and kms_key_id to the platform's RDS key.",
  check: perResource(['aws_db_instance', 'aws_rds_cluster'], (r) =>
    !isTrue(r.body.storage_encrypted)
      ? `database ${nameOf(r)} is not encrypted at rest`
      : !r.body.kms_key_id
        ? `database ${nameOf(r)} is encrypted with the AWS managed key, not a customer managed KMS key`
        : undefined,
  ),
};

export const logGroupEncryption: Rule = {
  id: 'TC-PLT-004',
  title: 'CloudWatch log groups are encrypted with a KMS key',
  severity: 'error',
  rationale:
    'Control plane, flow, WAF and database logs carry tenant identifiers, addresses and queries; a customer managed key keeps them under ' +
    "the platform's access control.",
  remediation: "Set kms_key_id on the aws_cloudwatch_log_group to the platform's logs key.",
  check: perResource(['aws_cloudwatch_log_group'], (r) => (r.body.kms_key_id ? undefined : `log group ${nameOf(r)} is not encrypted with a KMS key`)),
};

export const ecrEncryption: Rule = {
  id: 'TC-PLT-005',
  title: 'ECR repositories are encrypted with a KMS key',
  severity: 'error',
  rationale: "Images hold the platform's code and configuration; KMS encryption puts their storage under the platform's key policy.",
  remediation: 'Set encryption_configuration { encryption_type = "KMS", kms_key = <key> } on the aws_ecr_repository.',
  check: perResource(['aws_ecr_repository'], (r) => {
    const c = block(r.body.encryption_configuration);
    return c?.encryption_type === 'KMS' ? undefined : `repository ${nameOf(r)} is not encrypted with KMS`;
  }),
};

export const ecrImmutableScanned: Rule = {
  id: 'TC-PLT-006',
  title: 'ECR tags are immutable and images are scanned on push',
  severity: 'warning',
  rationale: 'A mutable tag can be pointed at another image after review; scanning on push reports known vulnerabilities before deployment.',
  remediation: 'Set image_tag_mutability = "IMMUTABLE" and image_scanning_configuration { scan_on_push = true }.',
  check: perResource(['aws_ecr_repository'], (r) => {
    const problems: string[] = [];
    if (r.body.image_tag_mutability !== 'IMMUTABLE') problems.push('tags are mutable');
    if (!isTrue(at(r.body.image_scanning_configuration, 'scan_on_push'))) problems.push('images are not scanned on push');
    return problems.length ? `repository ${nameOf(r)}: ${problems.join(', ')}` : undefined;
  }),
};

const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

export const eksEndpointPrivate: Rule = {
  id: 'TC-PLT-007',
  title: 'EKS API endpoint is private or restricted',
  severity: 'error',
  rationale:
    'An API server open to the internet is exposed to credential stuffing and to every future Kubernetes vulnerability; the endpoint is ' +
    'private unless eks.publicAccessCidrs names trusted networks.',
  remediation:
    'Set vpc_config.endpoint_public_access = false, or restrict public_access_cidrs to known networks (never 0.0.0.0/0) in eks.publicAccessCidrs.',
  check: perResource(['aws_eks_cluster'], (r) => {
    const vpc = block(r.body.vpc_config) ?? {};
    // The provider's default for endpoint_public_access is true, and for public_access_cidrs 0.0.0.0/0.
    if (vpc.endpoint_public_access === false || vpc.endpoint_public_access === 'false') return undefined;
    const cidrs = strings(vpc.public_access_cidrs);
    const open = cidrs.length === 0 ? ['0.0.0.0/0 (the default)'] : cidrs.filter((c) => OPEN_CIDRS.includes(c));
    return open.length ? `cluster ${nameOf(r)} has a public API endpoint open to ${open.join(', ')}` : undefined;
  }),
};

const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export const eksControlPlaneLogs: Rule = {
  id: 'TC-PLT-008',
  title: 'EKS control plane logs every log type',
  severity: 'error',
  rationale:
    'The audit and authenticator logs are the record of who did what in the shared cluster; without them a cross-tenant incident cannot be ' +
    'investigated.',
  remediation: `Set enabled_cluster_log_types = ${JSON.stringify(CONTROL_PLANE_LOGS)}.`,
  check: perResource(['aws_eks_cluster'], (r) => {
    const missing = CONTROL_PLANE_LOGS.filter((t) => !strings(r.body.enabled_cluster_log_types).includes(t));
    return missing.length ? `cluster ${nameOf(r)} does not log ${missing.join(', ')}` : undefined;
  }),
};

/** One RDS instance attribute rule. */
function dbRule(id: string, title: string, rationale: string, remediation: string, check: Check): Rule {
  return { id, title, severity: 'error', rationale, remediation, check: perResource(['aws_db_instance'], check) };
}

export const rdsMultiAz = dbRule(
  'TC-PLT-009',
  'RDS is Multi-AZ',
  'Every tenant depends on the shared database: a standby in another availability zone keeps them all running through an AZ failure.',
  'Set multi_az = true.',
  (r) => (isTrue(r.body.multi_az) ? undefined : `database ${nameOf(r)} is single-AZ`),
);

export const rdsNotPublic = dbRule(
  'TC-PLT-010',
  'RDS is not publicly accessible',
  "The database is reached only through RDS Proxy inside the VPC; a public address exposes every tenant's data to the internet.",
  'Set publicly_accessible = false.',
  (r) => (isTrue(r.body.publicly_accessible) ? `database ${nameOf(r)} is publicly accessible` : undefined),
);

export const rdsIamAuth = dbRule(
  'TC-PLT-011',
  'RDS uses IAM database authentication',
  "IAM authentication ties each tenant's database login to its own IAM role, with short-lived tokens and no passwords to leak.",
  'Set iam_database_authentication_enabled = true.',
  (r) => (isTrue(r.body.iam_database_authentication_enabled) ? undefined : `database ${nameOf(r)} does not accept IAM authentication`),
);

export const rdsForceTls: Rule = {
  id: 'TC-PLT-012',
  title: 'RDS forces TLS',
  severity: 'error',
  rationale: 'rds.force_ssl = 1 makes PostgreSQL refuse plaintext connections, so credentials and tenant data never cross the network in clear text.',
  remediation: 'Use a parameter group (aws_db_parameter_group) with parameter rds.force_ssl = 1 as parameter_group_name.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const groups = resources(stack, 'aws_db_parameter_group');
      return resources(stack, 'aws_db_instance').flatMap((db) => {
        const name = db.body.parameter_group_name;
        const group = groups.find((g) => refAddresses(name).includes(g.address) || (name !== undefined && g.body.name === name));
        const forced =
          group && blocks(group.body.parameter).some((p) => p.name === 'rds.force_ssl' && ['1', 1, true, 'true'].includes(p.value as never));
        if (forced) return [];
        const why =
          name === undefined
            ? 'uses the default parameter group'
            : group
              ? `parameter group ${String(group.body.name ?? group.id)} does not set rds.force_ssl = 1`
              : `uses parameter group ${String(name)}, which this stack does not define`;
        return [{ stack: stack.name, address: db.address, message: `database ${nameOf(db)} ${why}` }];
      });
    }),
};

export const rdsDeletionProtection = dbRule(
  'TC-PLT-013',
  'RDS has deletion protection',
  "A mistaken destroy of the shared database would take every tenant's data with it.",
  'Set deletion_protection = true.',
  (r) => (isTrue(r.body.deletion_protection) ? undefined : `database ${nameOf(r)} has no deletion protection`),
);

const MIN_BACKUP_DAYS = 7;

export const rdsBackups = dbRule(
  'TC-PLT-014',
  `RDS keeps backups for at least ${MIN_BACKUP_DAYS} days`,
  "Point-in-time recovery over a week covers the time it takes to notice a bad migration or a tenant's deleted data.",
  `Set backup_retention_period >= ${MIN_BACKUP_DAYS} (database.backupRetentionDays).`,
  (r) => {
    const days = Number(r.body.backup_retention_period ?? 0);
    return days >= MIN_BACKUP_DAYS ? undefined : `database ${nameOf(r)} keeps backups for ${days} days`;
  },
);

export const proxyRequiresTls: Rule = {
  id: 'TC-PLT-015',
  title: 'RDS Proxy requires TLS',
  severity: 'error',
  rationale: 'Tenant workloads reach the database through the proxy; require_tls keeps their IAM tokens and data encrypted in transit.',
  remediation: 'Set require_tls = true on the aws_db_proxy.',
  check: perResource(['aws_db_proxy'], (r) => (isTrue(r.body.require_tls) ? undefined : `proxy ${nameOf(r)} accepts plaintext connections`)),
};

export const proxyIamAuth: Rule = {
  id: 'TC-PLT-016',
  title: 'RDS Proxy requires IAM authentication',
  severity: 'error',
  rationale:
    'With IAM authentication required at the proxy, a tenant can log in only as the database user its IAM role names; a password login ' +
    'would bypass that boundary.',
  remediation: 'Set default_auth_scheme = "IAM_AUTH", or give every auth block iam_auth = "REQUIRED".',
  check: perResource(['aws_db_proxy'], (r) => {
    const auth = blocks(r.body.auth);
    const weak = auth.filter((a) => a.iam_auth !== 'REQUIRED');
    if (weak.length) return `proxy ${nameOf(r)} has auth entries without iam_auth REQUIRED`;
    return auth.length || r.body.default_auth_scheme === 'IAM_AUTH' ? undefined : `proxy ${nameOf(r)} does not require IAM authentication`;
  }),
};

const MODERN_TLS_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-Res-)/;

export const albTlsPolicy: Rule = {
  id: 'TC-PLT-017',
  title: 'HTTPS listeners use a modern TLS policy',
  severity: 'error',
  rationale:
    'Policies older than TLS 1.2 with forward secrecy allow downgrade attacks on tenant traffic; ELBSecurityPolicy-TLS13-1-2-* (or -1-3-) ' +
    'and FS-1-2-Res-* do not. (TLS13-1-0 and TLS13-1-1 still accept TLS 1.0/1.1.)',
  remediation:
    'Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or a newer TLS13-1-2/1-3 policy) on the HTTPS listener, and serve port 443 over HTTPS.',
  check: perResource(['aws_lb_listener', 'aws_alb_listener'], (r) => {
    if (r.body.protocol === 'HTTPS') {
      const policy = r.body.ssl_policy;
      return typeof policy === 'string' && MODERN_TLS_POLICY.test(policy)
        ? undefined
        : `HTTPS listener uses TLS policy ${policy === undefined ? 'ELBSecurityPolicy-2016-08 (the default)' : String(policy)}`;
    }
    return Number(r.body.port) === 443 && r.body.protocol === 'HTTP' ? 'port 443 is served over plaintext HTTP' : undefined;
  }),
};

/** Why an action sends HTTP traffic on in plaintext, or undefined when it does not. */
function plaintextAction(action: Json): string | undefined {
  if (action.type === 'fixed-response') return undefined;
  if (action.type === 'redirect') return at(action.redirect, 'protocol') === 'HTTPS' ? undefined : 'redirects without switching to HTTPS';
  return `${String(action.type)}s the request in plaintext`;
}

export const noPlaintextForwarding: Rule = {
  id: 'TC-PLT-018',
  title: 'HTTP listeners only redirect to HTTPS or answer themselves',
  severity: 'error',
  rationale:
    'A plaintext listener that forwards to the mesh exposes tenant sessions and credentials on the internet; HTTP must redirect to HTTPS ' +
    '(or answer with a fixed response).',
  remediation: 'Give the HTTP listener a redirect action to HTTPS (port 443, HTTP_301) or a fixed-response action, and no forwarding rules.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const out: Violation[] = [];
      const http = resources(stack, 'aws_lb_listener', 'aws_alb_listener').filter((l) => l.body.protocol === 'HTTP');
      for (const l of http) {
        const why = blocks(l.body.default_action).map(plaintextAction).find(Boolean);
        if (why) out.push({ stack: stack.name, address: l.address, message: `HTTP listener on port ${String(l.body.port)} ${why}` });
      }
      const httpAddresses = new Set(http.map((l) => l.address));
      for (const rule of resources(stack, 'aws_lb_listener_rule', 'aws_alb_listener_rule').filter((x) =>
        refersTo(x.body.listener_arn, httpAddresses),
      )) {
        const why = blocks(rule.body.action).map(plaintextAction).find(Boolean);
        if (why) out.push({ stack: stack.name, address: rule.address, message: `rule of an HTTP listener ${why}` });
      }
      return out;
    }),
};

export const albDropInvalidHeaders: Rule = {
  id: 'TC-PLT-019',
  title: 'ALBs drop invalid HTTP headers',
  severity: 'error',
  rationale: 'Malformed headers are the raw material of request smuggling and header injection against the services behind the ALB.',
  remediation: 'Set drop_invalid_header_fields = true on the aws_lb.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      applicationLoadBalancers(stack)
        .filter((lb) => !isTrue(lb.body.drop_invalid_header_fields))
        .map((lb) => ({ stack: stack.name, address: lb.address, message: `load balancer ${nameOf(lb)} passes invalid header fields on` })),
    ),
};

export const albAccessLogs: Rule = {
  id: 'TC-PLT-020',
  title: 'ALBs write access logs',
  severity: 'error',
  rationale: 'Access logs are the only record of who called which tenant from where; incident response and abuse handling need them.',
  remediation: 'Set access_logs { bucket = <bucket>, enabled = true } on the aws_lb.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      applicationLoadBalancers(stack)
        .filter((lb) => {
          const logs = block(lb.body.access_logs);
          return !logs?.bucket || logs.enabled === false || logs.enabled === 'false';
        })
        .map((lb) => ({ stack: stack.name, address: lb.address, message: `load balancer ${nameOf(lb)} writes no access logs` })),
    ),
};

export const albDeletionProtection: Rule = {
  id: 'TC-PLT-021',
  title: 'ALBs have deletion protection',
  severity: 'warning',
  rationale: 'Deleting the shared ALB takes every tenant offline and changes its DNS name.',
  remediation: 'Set enable_deletion_protection = true on the aws_lb.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      applicationLoadBalancers(stack)
        .filter((lb) => !isTrue(lb.body.enable_deletion_protection))
        .map((lb) => ({ stack: stack.name, address: lb.address, message: `load balancer ${nameOf(lb)} has no deletion protection` })),
    ),
};

export const wafAssociated: Rule = {
  id: 'TC-PLT-022',
  title: 'Internet-facing ALBs are protected by WAF',
  severity: 'error',
  rationale: 'The WAF web ACL filters known exploits and rate-limits abusive clients before they reach any tenant.',
  remediation: 'Associate a aws_wafv2_web_acl with the load balancer through aws_wafv2_web_acl_association.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const protectedLbs = new Set(resources(stack, 'aws_wafv2_web_acl_association').flatMap((a) => refAddresses(a.body.resource_arn)));
      return applicationLoadBalancers(stack)
        .filter((lb) => !isTrue(lb.body.internal) && !protectedLbs.has(lb.address))
        .map((lb) => ({ stack: stack.name, address: lb.address, message: `internet-facing load balancer ${nameOf(lb)} has no WAF web ACL` }));
    }),
};

const BASELINE_RULE_GROUP = 'AWSManagedRulesCommonRuleSet';

export const wafManagedRules: Rule = {
  id: 'TC-PLT-023',
  title: 'WAF web ACLs use AWS managed rule groups',
  severity: 'error',
  rationale:
    `AWS managed rule groups (at least ${BASELINE_RULE_GROUP}, the OWASP baseline) block common exploits without the platform team ` +
    `writing signatures.`,
  remediation:
    `Add rules with statement.managed_rule_group_statement { vendor_name = "AWS", name = "${BASELINE_RULE_GROUP}" } (and the IP ` +
    `reputation, known bad inputs and SQLi groups).`,
  check: perResource(['aws_wafv2_web_acl'], (r) => {
    const groups = blocks(r.body.rule).map((rule) =>
      at(at(rule.statement, 'managed_rule_group_statement') ?? at(rule.statement, 'managedRuleGroupStatement'), 'name'),
    );
    return groups.includes(BASELINE_RULE_GROUP)
      ? undefined
      : `web ACL ${nameOf(r)} does not use the managed rule group ${BASELINE_RULE_GROUP}${groups.some(Boolean) ? ` (it uses ${groups.filter(Boolean).join(', ')})` : ''}`;
  }),
};

export const wafLogging: Rule = {
  id: 'TC-PLT-024',
  title: 'WAF web ACLs log requests',
  severity: 'error',
  rationale: 'WAF logs show what was blocked and why; without them false positives and attacks on tenants go unseen.',
  remediation: 'Add an aws_wafv2_web_acl_logging_configuration for the web ACL (to a CloudWatch log group named aws-waf-logs-*).',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const logged = new Set(resources(stack, 'aws_wafv2_web_acl_logging_configuration').flatMap((l) => refAddresses(l.body.resource_arn)));
      return resources(stack, 'aws_wafv2_web_acl')
        .filter((acl) => !logged.has(acl.address))
        .map((acl) => ({ stack: stack.name, address: acl.address, message: `web ACL ${nameOf(acl)} has no logging configuration` }));
    }),
};

const WEB_PORTS = [80, 443];

export const noInternetIngress: Rule = {
  id: 'TC-PLT-025',
  title: 'No security group admits the internet, except the ALB on 80/443',
  severity: 'error',
  rationale:
    'Everything but the public ALB sits in private subnets and is reached through it; an ingress rule from 0.0.0.0/0 or ::/0 anywhere else ' +
    'exposes nodes, the database or the proxy.',
  remediation:
    "Admit the VPC CIDRs or a source security group instead; only the internet-facing ALB's security group may admit 0.0.0.0/0 and ::/0, on " +
    'TCP 80 and 443.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const albGroups = new Set(
        applicationLoadBalancers(stack)
          .filter((lb) => !isTrue(lb.body.internal))
          .flatMap((lb) => strings(lb.body.security_groups).flatMap(refAddresses)),
      );
      const out: Violation[] = [];
      const check = (address: string, groupAddresses: string[], cidrs: string[], from: unknown, to: unknown, protocol: unknown) => {
        const open = cidrs.filter((c) => OPEN_CIDRS.includes(c));
        if (!open.length) return;
        const webOnly = Number(from) === Number(to) && WEB_PORTS.includes(Number(from)) && ['tcp', '6'].includes(String(protocol).toLowerCase());
        if (webOnly && groupAddresses.some((g) => albGroups.has(g))) return;
        const ports =
          String(protocol) === '-1' ? 'all ports' : Number(from) === Number(to) ? `port ${String(from)}` : `ports ${String(from)}-${String(to)}`;
        out.push({ stack: stack.name, address, message: `admits ${open.join(' and ')} on ${ports}` });
      };
      for (const sg of resources(stack, 'aws_security_group')) {
        for (const rule of blocks(sg.body.ingress))
          check(
            sg.address,
            [sg.address],
            [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)],
            rule.from_port,
            rule.to_port,
            rule.protocol,
          );
      }
      for (const rule of resources(stack, 'aws_vpc_security_group_ingress_rule')) {
        check(
          rule.address,
          refAddresses(rule.body.security_group_id),
          [...strings(rule.body.cidr_ipv4), ...strings(rule.body.cidr_ipv6)],
          rule.body.from_port,
          rule.body.to_port,
          rule.body.ip_protocol,
        );
      }
      for (const rule of resources(stack, 'aws_security_group_rule').filter((x) => x.body.type === 'ingress')) {
        check(
          rule.address,
          refAddresses(rule.body.security_group_id),
          [...strings(rule.body.cidr_blocks), ...strings(rule.body.ipv6_cidr_blocks)],
          rule.body.from_port,
          rule.body.to_port,
          rule.body.protocol,
        );
      }
      return out;
    }),
};

const FULL_WILDCARD = /^(\*|[A-Za-z0-9-]+:\*)$/;

/** Allow statements of every identity policy, with the policies that cannot be read. */
function allowStatements(stack: StackDocument) {
  return identityPolicies(stack).map((p) => ({ ...p, allows: p.statements?.filter((s) => s.effect === 'Allow') }));
}

/**
 * The tenant permissions boundary (TenantBoundary) is a ceiling, not a grant: a service account's
 * allows everything but IAM on objects tagged with the role's tenant. Its NotAction is accepted
 * only with `iam:*` excluded and a condition on the statement.
 */
const isTenantBoundary = (p: { resource: { type: string; body: Record<string, unknown> } }) =>
  p.resource.type === 'aws_iam_policy' && /-tenant-boundary$/.test(String(p.resource.body.name ?? ''));

export const noWildcardActions: Rule = {
  id: 'TC-PLT-026',
  title: 'No IAM policy allows a wildcard action',
  severity: 'error',
  rationale:
    '`*` or `service:*` grants every present and future action of a service; least privilege names the actions a role needs. NotAction with ' +
    'Allow is as broad (the tenant permissions boundary excepted, when it keeps IAM out and carries a condition).',
  remediation: "List the actions the role needs (see the service's authorization reference) instead of `*`, `service:*` or NotAction.",
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      allowStatements(stack).flatMap((p): Violation[] => {
        if (!p.allows)
          return [
            { stack: stack.name, address: p.address, message: 'the policy cannot be read, so its actions cannot be checked', severity: 'warning' },
          ];
        const wild = [...new Set(p.allows.flatMap((s) => s.actions.filter((a) => FULL_WILDCARD.test(a))))];
        const ceiling = isTenantBoundary(p);
        const notAction = p.allows.some(
          (s) => s.notActions.length > 0 && !(ceiling && s.notActions.includes('iam:*') && Object.keys(s.conditions).length > 0),
        );
        const problems = [...(wild.length ? [`allows ${wild.join(', ')}`] : []), ...(notAction ? ['allows with NotAction'] : [])];
        return problems.length ? [{ stack: stack.name, address: p.address, message: `policy ${problems.join('; ')}` }] : [];
      }),
    ),
};

export const noPartialWildcardActions: Rule = {
  id: 'TC-PLT-027',
  title: 'IAM policies avoid partial wildcard actions',
  severity: 'warning',
  rationale: 'A pattern such as `ec2:Describe*` also grants actions AWS adds later; naming the actions keeps a policy reviewable.',
  remediation: 'Replace the pattern by the actions it is meant to cover.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      allowStatements(stack).flatMap((p): Violation[] => {
        const partial = [...new Set((p.allows ?? []).flatMap((s) => s.actions.filter((a) => /[*?]/.test(a) && !FULL_WILDCARD.test(a))))];
        return partial.length ? [{ stack: stack.name, address: p.address, message: `policy allows ${partial.join(', ')}` }] : [];
      }),
    ),
};

export const vpcFlowLogs: Rule = {
  id: 'TC-PLT-028',
  title: 'VPCs have flow logs',
  severity: 'error',
  rationale: 'Flow logs record which addresses talked to which: the evidence of a network path between tenants or out of the platform.',
  remediation: 'Add an aws_flow_log with vpc_id = the VPC and traffic_type = "ALL".',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const logged = new Set(resources(stack, 'aws_flow_log').flatMap((f) => refAddresses(f.body.vpc_id)));
      return resources(stack, 'aws_vpc')
        .filter((vpc) => !logged.has(vpc.address))
        .map((vpc) => ({ stack: stack.name, address: vpc.address, message: 'the VPC has no flow log' }));
    }),
};

/** A chart read from a directory that travels with the stack (a Terraform asset or a path). */
function isLocalChart(r: ResourceRef): boolean {
  const chart = String(r.body.chart ?? '');
  return !r.body.repository && /^(\.{1,2}\/|\/|assets\/|\$\{path\.)/.test(chart);
}

export const helmChartsPinned: Rule = {
  id: 'TC-PLT-029',
  title: 'Helm charts are pinned to an exact version',
  severity: 'error',
  rationale:
    'Without an exact version (or with a range) a plan installs whatever the repository serves that day: unreviewed changes to cluster-wide ' +
    'components.',
  remediation: 'Set version to an exact chart version (stacks/constructs/addons/versions.ts), or install a local chart directory.',
  check: perResource(['helm_release'], (r) => {
    if (isLocalChart(r)) return undefined;
    const version = r.body.version;
    return typeof version === 'string' && EXACT_VERSION.test(version)
      ? undefined
      : `release ${nameOf(r)} (chart ${String(r.body.chart)}) ${version === undefined ? 'has no version: the latest is installed' : `uses version ${String(version)}, not an exact version`}`;
  }),
};

export const platformSecurityRules: readonly Rule[] = [
  kmsKeyRotation,
  eksSecretsEncryption,
  rdsEncryption,
  logGroupEncryption,
  ecrEncryption,
  ecrImmutableScanned,
  eksEndpointPrivate,
  eksControlPlaneLogs,
  rdsMultiAz,
  rdsNotPublic,
  rdsIamAuth,
  rdsForceTls,
  rdsDeletionProtection,
  rdsBackups,
  proxyRequiresTls,
  proxyIamAuth,
  albTlsPolicy,
  noPlaintextForwarding,
  albDropInvalidHeaders,
  albAccessLogs,
  albDeletionProtection,
  wafAssociated,
  wafManagedRules,
  wafLogging,
  noInternetIngress,
  noWildcardActions,
  noPartialWildcardActions,
  vpcFlowLogs,
  helmChartsPinned,
];
