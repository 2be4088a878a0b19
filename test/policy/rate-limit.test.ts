import { rateLimitRules } from '../../src/policy/rules';
import { addressOf, baseline, body, findingsOf, triples, type Fixture } from './fixtures';

type Baseline = ReturnType<typeof baseline>;
const DESCRIPTOR = (s: Fixture) => addressOf(s, 'kubernetes_config_map_v1', 'rate-limit_descriptor_');
const NS = (s: Fixture) => addressOf(s, 'kubernetes_namespace_v1', 'namespace_namespace');
const descriptorFile = (b: Baseline) => body(b.acme, DESCRIPTOR(b.acme)).data;
const setFile = (b: Baseline, text: string) => (body(b.acme, DESCRIPTOR(b.acme)).data = { 'tenant-acme.yaml': text });
const file = (value: string, extra = '') =>
  `{"domain":"tenantctl-ingress","descriptors":[{"key":"destination_cluster","value":"${value}","rate_limit":{"unit":"second","requests_per_unit":1000}}${extra}]}`;
const ACME = 'outbound|8080||gateway.tenant-acme.svc.cluster.local';

/** The per-sidecar local rate limit TenantMesh writes (the only limit before the global one). */
const localRateLimit = {
  manifest: {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: 'tenant-acme-ratelimit', namespace: '${kubernetes_namespace_v1.namespace_namespace_67941C3A.metadata[0].name}' },
    spec: {
      configPatches: [
        {
          applyTo: 'HTTP_FILTER',
          match: {
            context: 'SIDECAR_INBOUND',
            listener: {
              filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
            },
          },
          patch: {
            operation: 'INSERT_BEFORE',
            value: {
              name: 'envoy.filters.http.local_ratelimit',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                stat_prefix: 'http_local_rate_limiter',
                token_bucket: { max_tokens: 1000, tokens_per_fill: 1000, fill_interval: '1s' },
              },
            },
          },
        },
      ],
    },
  },
};

/** A cluster stack with the ingress gateway release, and the rate limit release unless left out. */
function clusterStack(withRateLimit: boolean): Fixture {
  const release = (name: string, chart: string, namespace: string) => ({ name, chart, version: '1.0.0', namespace });
  return {
    name: 'cluster',
    file: 'cdktf.out/stacks/cluster/cdk.tf.json',
    json: {
      resource: {
        helm_release: {
          services_istio_gateway_release_0367B947: {
            ...release('istio-ingressgateway', 'gateway', 'istio-system'),
            repository: 'https://istio-release.storage.googleapis.com/charts',
            version: '1.29.2',
          },
          ...(withRateLimit
            ? { ratelimit_helm_release_3988DCCA: release('platform-ratelimit', 'assets/ratelimit_chart_953E2252/ABCDEF', 'ratelimit') }
            : {}),
        },
      },
    },
  };
}

/** [rule, what is broken, how, stack, expected address]. */
const cases: [string, string, (b: Baseline) => void, string, (b: Baseline) => string][] = [
  [
    'TC-RATE-001',
    'the tenant keeps only the per-pod local rate limit (no descriptor)',
    (b) => {
      delete b.acme.json.resource.kubernetes_config_map_v1;
      b.acme.json.resource.kubernetes_manifest['mesh_rate-limit_5A6B7C8D'] = localRateLimit;
    },
    'tenant-acme',
    (b) => NS(b.acme),
  ],
  [
    'TC-RATE-001',
    'the tenant has no rate limit at all',
    (b) => delete b.acme.json.resource.kubernetes_config_map_v1,
    'tenant-acme',
    (b) => NS(b.acme),
  ],
  [
    'TC-RATE-001',
    "the descriptor names another tenant's entry cluster",
    (b) => setFile(b, file('outbound|8080||gateway.tenant-globex.svc.cluster.local')),
    'tenant-acme',
    (b) => DESCRIPTOR(b.acme),
  ],
  [
    'TC-RATE-001',
    'the descriptor declares another domain',
    (b) => setFile(b, file(ACME).replace('tenantctl-ingress', 'other')),
    'tenant-acme',
    (b) => DESCRIPTOR(b.acme),
  ],
  [
    'TC-RATE-001',
    'the descriptor adds a second descriptor',
    (b) => setFile(b, file(ACME, ',{"key":"destination_cluster","rate_limit":{"unit":"second","requests_per_unit":1}}')),
    'tenant-acme',
    (b) => DESCRIPTOR(b.acme),
  ],
  ['TC-RATE-001', 'the descriptor is not a ratelimit config', (b) => setFile(b, 'domain: [unclosed'), 'tenant-acme', (b) => DESCRIPTOR(b.acme)],
  [
    'TC-RATE-001',
    'the descriptor counts per minute',
    (b) => setFile(b, file(ACME).replace('"second"', '"minute"')),
    'tenant-acme',
    (b) => DESCRIPTOR(b.acme),
  ],
  [
    'TC-RATE-001',
    'the descriptor ConfigMap holds two files',
    (b) => (descriptorFile(b)['extra.yaml'] = file(ACME)),
    'tenant-acme',
    (b) => DESCRIPTOR(b.acme),
  ],
  [
    'TC-RATE-002',
    'the rate limit Valkey has no AUTH token',
    (b) => delete body(b.platform, 'aws_elasticache_replication_group.ratelimit_replication-group_1D').auth_token,
    'platform',
    () => 'aws_elasticache_replication_group.ratelimit_replication-group_1D',
  ],
  [
    'TC-RATE-002',
    'the rate limit Valkey accepts plaintext',
    (b) => (body(b.platform, 'aws_elasticache_replication_group.ratelimit_replication-group_1D').transit_encryption_mode = 'preferred'),
    'platform',
    () => 'aws_elasticache_replication_group.ratelimit_replication-group_1D',
  ],
  [
    'TC-RATE-002',
    'the rate limit Valkey is one node',
    (b) => (body(b.platform, 'aws_elasticache_replication_group.ratelimit_replication-group_1D').num_cache_clusters = 1),
    'platform',
    () => 'aws_elasticache_replication_group.ratelimit_replication-group_1D',
  ],
  [
    'TC-RATE-002',
    'the rate limit Valkey is not encrypted at rest with a key',
    (b) => delete body(b.platform, 'aws_elasticache_replication_group.ratelimit_replication-group_1D').kms_key_id,
    'platform',
    () => 'aws_elasticache_replication_group.ratelimit_replication-group_1D',
  ],
];

describe('rate limit rules', () => {
  test('GIVEN compliant stacks THEN no rule fires', () => {
    const b = baseline();
    // The fixture's gateway release carries no scheduling values: only the rate limit rules are asked.
    expect(findingsOf([b.platform, b.acme, b.globex, clusterStack(true)]).filter((f) => f.ruleId.startsWith('TC-RATE'))).toEqual([]);
  });

  test('every rule has a failing case below', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(rateLimitRules.map((r) => r.id)));
  });

  test.each(cases)('%s fires when %s', (id, _what, breakIt, stack, address) => {
    const b = baseline();
    breakIt(b);
    const findings = findingsOf([b.platform, b.acme, b.globex]);
    expect(triples(findings)).toEqual([[id, stack, address(b)]]);
    expect(findings[0].severity).toBe('error');
  });

  test('GIVEN a tenant with only the local rate limit THEN the finding says it is per pod only', () => {
    const b = baseline();
    delete b.acme.json.resource.kubernetes_config_map_v1;
    b.acme.json.resource.kubernetes_manifest['mesh_rate-limit_5A6B7C8D'] = localRateLimit;
    const [finding] = findingsOf([b.acme]).filter((f) => f.ruleId === 'TC-RATE-001');
    expect(finding.message).toBe(
      'tenant acme is rate limited per pod only (local rate limit at each sidecar): its rate grows with its pods and nothing limits it at ' +
        'the shared gateway',
    );
  });

  test('GIVEN the ingress gateway without the rate limit release THEN TC-RATE-001 names the gateway release', () => {
    const b = baseline();
    // The fixture's gateway release carries no scheduling values: only the rate limit rules are asked.
    const rateLimitFindings = findingsOf([b.platform, b.acme, b.globex, clusterStack(false)]).filter((f) => f.ruleId.startsWith('TC-RATE'));
    expect(triples(rateLimitFindings)).toEqual([['TC-RATE-001', 'cluster', 'helm_release.services_istio_gateway_release_0367B947']]);
  });
});
