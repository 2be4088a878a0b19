import { tenantIsolationRules } from '../../src/policy/rules';
import { addressOf, baseline, body, findingsOf, policyJson, triples, type Fixture } from './fixtures';

type Baseline = ReturnType<typeof baseline>;
const NS = (s: Fixture) => addressOf(s, 'kubernetes_namespace_v1', 'namespace_namespace');
const policy = (s: Fixture, name: string) => addressOf(s, 'kubernetes_network_policy_v1', `network-policies_${name}_`);
const mesh = (s: Fixture, name: string) => addressOf(s, 'kubernetes_manifest', `mesh_${name}_`);
const role = (s: Fixture) => addressOf(s, 'aws_iam_role', 'identity_role');
const rolePolicy = (s: Fixture) => addressOf(s, 'aws_iam_role_policy', 'identity_role_policy');
const trust = (s: Fixture) => JSON.parse(body(s, role(s)).assume_role_policy.replace(/\$\{replace\([^}]*\}/g, 'ISSUER'));
const setTrust = (s: Fixture, condition: object) => {
  const doc = trust(s);
  doc.Statement[0].Condition = condition;
  body(s, role(s)).assume_role_policy = policyJson(doc.Statement);
};
const dbConnect = (resource: string, action: string | string[] = 'rds-db:connect') =>
  policyJson([{ Effect: 'Allow', Action: action, Resource: resource }]);
const NS_REF = '${kubernetes_namespace_v1.namespace_namespace_67941C3A.metadata[0].name}';

/** [rule, what is broken, how, expected address]: every case breaks exactly one rule in tenant-acme. */
const cases: [string, string, (b: Baseline) => void, (b: Baseline) => string][] = [
  [
    'TC-ISO-001',
    'the namespace enforces "baseline"',
    (b) => (body(b.acme, NS(b.acme)).metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'),
    (b) => NS(b.acme),
  ],
  [
    'TC-ISO-001',
    'the namespace has no Pod Security label',
    (b) => delete body(b.acme, NS(b.acme)).metadata.labels['pod-security.kubernetes.io/enforce'],
    (b) => NS(b.acme),
  ],
  ['TC-ISO-002', 'the namespace has no ResourceQuota', (b) => delete b.acme.json.resource.kubernetes_resource_quota_v1, (b) => NS(b.acme)],
  [
    'TC-ISO-002',
    'the quota does not limit memory',
    (b) => {
      const hard = body(b.acme, addressOf(b.acme, 'kubernetes_resource_quota_v1', 'namespace_quota')).spec.hard;
      delete hard['requests.memory'];
      delete hard['limits.memory'];
    },
    (b) => addressOf(b.acme, 'kubernetes_resource_quota_v1', 'namespace_quota'),
  ],
  ['TC-ISO-003', 'the namespace has no LimitRange', (b) => delete b.acme.json.resource.kubernetes_limit_range_v1, (b) => NS(b.acme)],
  [
    'TC-ISO-004',
    'the default deny covers Ingress only (denyEgress false)',
    (b) => (body(b.acme, policy(b.acme, 'default-deny')).spec.policy_types = ['Ingress']),
    (b) => policy(b.acme, 'default-deny'),
  ],
  [
    'TC-ISO-004',
    'there is no default-deny policy',
    (b) => delete b.acme.json.resource.kubernetes_network_policy_v1[policy(b.acme, 'default-deny').split('.')[1]],
    (b) => NS(b.acme),
  ],
  [
    'TC-ISO-005',
    'DNS is allowed to every pod of kube-system',
    (b) =>
      (body(b.acme, policy(b.acme, 'allow-dns')).spec.egress[0].to = [
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
      ]),
    (b) => policy(b.acme, 'allow-dns'),
  ],
  [
    'TC-ISO-005',
    'DNS is allowed to an outside resolver',
    (b) => (body(b.acme, policy(b.acme, 'allow-dns')).spec.egress[0].to = [{ ip_block: { cidr: '8.8.8.8/32' } }]),
    (b) => policy(b.acme, 'allow-dns'),
  ],
  [
    'TC-ISO-006',
    'a policy admits every namespace',
    (b) => (body(b.acme, policy(b.acme, 'allow-ingress-gateway')).spec.ingress[0].from = [{ namespace_selector: {} }]),
    (b) => policy(b.acme, 'allow-ingress-gateway'),
  ],
  [
    'TC-ISO-006',
    'a policy admits every namespace (list spelling)',
    (b) => (body(b.acme, policy(b.acme, 'allow-ingress-gateway')).spec.ingress[0].from = [{ namespace_selector: [{}] }]),
    (b) => policy(b.acme, 'allow-ingress-gateway'),
  ],
  [
    'TC-ISO-006',
    'a policy allows egress to 0.0.0.0/0',
    (b) => (body(b.acme, policy(b.acme, 'allow-database')).spec.egress[0].to = [{ ip_block: { cidr: '0.0.0.0/0' } }]),
    (b) => policy(b.acme, 'allow-database'),
  ],
  [
    'TC-ISO-007',
    'mTLS is PERMISSIVE',
    (b) => (body(b.acme, mesh(b.acme, 'peer-authentication')).manifest.spec.mtls.mode = 'PERMISSIVE'),
    (b) => mesh(b.acme, 'peer-authentication'),
  ],
  [
    'TC-ISO-007',
    'there is no PeerAuthentication',
    (b) => delete b.acme.json.resource.kubernetes_manifest[mesh(b.acme, 'peer-authentication').split('.')[1]],
    (b) => NS(b.acme),
  ],
  [
    'TC-ISO-008',
    'the DENY policy spares another tenant',
    (b) => body(b.acme, mesh(b.acme, 'deny-other-tenants')).manifest.spec.rules[0].from[0].source.notNamespaces.push('tenant-globex'),
    (b) => mesh(b.acme, 'deny-other-tenants'),
  ],
  [
    'TC-ISO-008',
    'the policy allows instead of denying',
    (b) => (body(b.acme, mesh(b.acme, 'deny-other-tenants')).manifest.spec.action = 'ALLOW'),
    (b) => NS(b.acme),
  ],
  [
    'TC-ISO-009',
    'the trust uses StringLike',
    (b) => setTrust(b.acme, { StringLike: { 'ISSUER:sub': `system:serviceaccount:${NS_REF}:*` } }),
    (b) => role(b.acme),
  ],
  [
    'TC-ISO-009',
    'the trust names another namespace',
    (b) => setTrust(b.acme, { StringEquals: { 'ISSUER:sub': 'system:serviceaccount:tenant-globex:app' } }),
    (b) => role(b.acme),
  ],
  [
    'TC-ISO-009',
    'the trust has no sub condition',
    (b) => setTrust(b.acme, { StringEquals: { 'ISSUER:aud': 'sts.amazonaws.com' } }),
    (b) => role(b.acme),
  ],
  [
    'TC-ISO-010',
    'the tenant may read S3',
    (b) => (body(b.acme, rolePolicy(b.acme)).policy = dbConnect('arn:aws:s3:::bucket/*', 's3:GetObject')),
    (b) => rolePolicy(b.acme),
  ],
  [
    'TC-ISO-010',
    'the tenant may connect as another user',
    (b) => (body(b.acme, rolePolicy(b.acme)).policy = dbConnect('arn:aws:rds-db:eu-west-1:111122223333:dbuser:prx-1/tenant_initech')),
    (b) => rolePolicy(b.acme),
  ],
  [
    'TC-ISO-010',
    'the tenant may assume a role its stack does not own in its account',
    (b) =>
      (body(b.acme, rolePolicy(b.acme)).policy = dbConnect('arn:aws:iam::999988887777:role/acme-prod-tenant-acme', [
        'sts:AssumeRole',
        'sts:TagSession',
      ])),
    (b) => rolePolicy(b.acme),
  ],
  [
    'TC-ISO-010',
    'the tenant may connect through any proxy',
    (b) => (body(b.acme, rolePolicy(b.acme)).policy = dbConnect('arn:aws:rds-db:eu-west-1:111122223333:dbuser:*/tenant_acme')),
    (b) => rolePolicy(b.acme),
  ],
  [
    'TC-ISO-010',
    'a managed policy is attached',
    (b) =>
      (b.acme.json.resource.aws_iam_role_policy_attachment = { admin: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }),
    () => 'aws_iam_role_policy_attachment.admin',
  ],
];

describe('tenant isolation rules', () => {
  test('GIVEN compliant stacks THEN no tenant isolation rule fires', () => {
    const b = baseline();
    expect(findingsOf([b.platform, b.acme, b.globex])).toEqual([]);
  });

  test('every rule has a failing case below', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(tenantIsolationRules.map((r) => r.id)));
  });

  test.each(cases)('%s fires when %s', (id, _what, breakIt, address) => {
    const b = baseline();
    breakIt(b);
    const findings = findingsOf([b.platform, b.acme, b.globex]);
    expect(triples(findings)).toEqual([[id, 'tenant-acme', address(b)]]);
    expect(findings[0].severity).toBe('error');
  });

  test("GIVEN a removed tenant's empty stack THEN no isolation rule applies to it", () => {
    const b = baseline();
    b.acme.json.resource = {};
    b.acme.json.provider.aws[0].default_tags[0].tags['tenantctl:status'] = 'removed';
    expect(findingsOf([b.platform, b.acme, b.globex])).toEqual([]);
  });

  test('GIVEN an active tenant stack without namespace THEN TC-ISO-001 names the stack', () => {
    const b = baseline();
    delete b.acme.json.resource.kubernetes_namespace_v1;
    expect(
      findingsOf([b.acme])
        .filter((f) => f.ruleId === 'TC-ISO-001')
        .map((f) => f.address),
    ).toEqual(['tenant-acme']);
  });

  test('GIVEN a trust policy that cannot be parsed THEN TC-ISO-009 warns instead of passing', () => {
    const b = baseline();
    body(b.acme, role(b.acme)).assume_role_policy = '${data.aws_iam_policy_document.missing.json}';
    const findings = findingsOf([b.acme]);
    expect(triples(findings)).toEqual([['TC-ISO-009', 'tenant-acme', role(b.acme)]]);
    expect(findings[0].severity).toBe('warning');
  });
});
