import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { parse } from 'yaml';
import { ValidationError } from '../../src/model/errors';
import { platformNames } from '../../src/model/names';
import { resolveTenant } from '../../src/model/project';
import { RATE_LIMIT_RELEASE, defaultDescriptorFile, tenantDescriptorFile } from '../../src/model/rate-limit';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers, tierCatalog } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { ClusterStack } from '../../stacks/cluster-stack';
import { imageVersions } from '../../stacks/constructs/addons/versions';
import { RATE_LIMIT_CHART_DIR, RateLimitService } from '../../stacks/constructs/ratelimit/rate-limit-service';
import { RateLimitStore, type RateLimitStoreProps } from '../../stacks/constructs/ratelimit/rate-limit-store';
import { PlatformStack } from '../../stacks/platform-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { ALLOWED_EXPRESSION, renderChart, templateExpressions } from '../chart-render';
import { platformSpec, SynthJson } from '../util';

const names = platformNames(platformSpec());
const KEYS = {
  elasticache: 'arn:aws:kms:eu-west-1:111122223333:key/elasticache',
  secrets: 'arn:aws:kms:eu-west-1:111122223333:key/secrets',
  logs: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
};
const CLUSTER_SG = 'sg-cluster';

function synthStore(props: Partial<RateLimitStoreProps> = {}): SynthJson {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new RateLimitStore(stack, 'ratelimit', {
    platform: platformSpec(),
    vpcId: 'vpc-0123',
    subnetIds: ['subnet-db-a', 'subnet-db-b', 'subnet-db-c'],
    clusterSecurityGroupId: CLUSTER_SG,
    kmsKeyArn: KEYS.elasticache,
    secretsKmsKeyArn: KEYS.secrets,
    logsKmsKeyArn: KEYS.logs,
    ...props,
  });
  return SynthJson.parse(Testing.synth(stack));
}

const ref = (json: SynthJson, type: string, attr: string) => `\${${type}.${json.idOf(type)}.${attr}}`;

describe('RateLimitStore: the Valkey behind the global rate limit', () => {
  const json = synthStore();
  const group = json.one('aws_elasticache_replication_group');

  test('is a Valkey 8.2 replication group with a primary and a replica, Multi-AZ with automatic failover', () => {
    expect(group).toMatchObject({
      replication_group_id: 'acme-prod-ratelimit',
      engine: 'valkey',
      engine_version: '8.2',
      node_type: 'cache.m7g.large',
      num_cache_clusters: 2,
      multi_az_enabled: true,
      automatic_failover_enabled: true,
      port: 6379,
      auto_minor_version_upgrade: 'true',
    });
    expect(group.num_node_groups).toBeUndefined();
  });

  test('pins its parameters in its own valkey8 group: counters closest to expiry go first under memory pressure', () => {
    expect(json.one('aws_elasticache_parameter_group')).toMatchObject({
      name: 'acme-prod-ratelimit',
      family: 'valkey8',
      parameter: [{ name: 'maxmemory-policy', value: 'volatile-ttl' }],
    });
    expect(group.parameter_group_name).toBe(ref(json, 'aws_elasticache_parameter_group', 'name'));
  });

  test('lives in the database subnets', () => {
    expect(json.one('aws_elasticache_subnet_group')).toMatchObject({
      name: 'acme-prod-ratelimit',
      subnet_ids: ['subnet-db-a', 'subnet-db-b', 'subnet-db-c'],
    });
    expect(group.subnet_group_name).toBe(ref(json, 'aws_elasticache_subnet_group', 'name'));
  });

  test('is encrypted at rest with the ElastiCache key and requires TLS', () => {
    expect(group).toMatchObject({
      at_rest_encryption_enabled: 'true',
      kms_key_id: KEYS.elasticache,
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
    });
  });

  test('requires the AUTH token Secrets Manager generated once and keeps under the secrets key', () => {
    const secret = json.one('aws_secretsmanager_secret');
    expect(secret).toMatchObject({ name: 'acme-prod/ratelimit/redis-auth-token', kms_key_id: KEYS.secrets });
    const version = json.one('aws_secretsmanager_secret_version');
    const [passwordId] = Object.keys(json.data('aws_secretsmanager_random_password'));
    expect(json.data('aws_secretsmanager_random_password')[passwordId]).toEqual({
      password_length: 64,
      exclude_punctuation: true,
      include_space: false,
      require_each_included_type: true,
    });
    expect(version).toMatchObject({
      secret_id: ref(json, 'aws_secretsmanager_secret', 'id'),
      secret_string: `\${data.aws_secretsmanager_random_password.${passwordId}.random_password}`,
      // The data source draws a new password on every plan: the first one stays.
      lifecycle: { ignore_changes: ['secret_string'] },
    });
    expect(group.auth_token).toBe(ref(json, 'aws_secretsmanager_secret_version', 'secret_string'));
    expect(group.auth_token_update_strategy).toBe('ROTATE');
  });

  test('admits TLS on 6379 from the EKS cluster security group only, and nothing else', () => {
    const sg = json.one('aws_security_group');
    expect(sg).toMatchObject({ name: 'acme-prod-ratelimit', vpc_id: 'vpc-0123' });
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(Object.values(json.resources('aws_vpc_security_group_ingress_rule'))).toEqual([
      expect.objectContaining({
        security_group_id: ref(json, 'aws_security_group', 'id'),
        ip_protocol: 'tcp',
        from_port: 6379,
        to_port: 6379,
        referenced_security_group_id: CLUSTER_SG,
      }),
    ]);
    expect(json.resources('aws_vpc_security_group_egress_rule')).toEqual({});
    expect(group.security_group_ids).toEqual([ref(json, 'aws_security_group', 'id')]);
  });

  test('ships slow and engine logs to encrypted log groups', () => {
    const groups = Object.values(json.resources('aws_cloudwatch_log_group'));
    expect(groups.map((g) => g.name).sort()).toEqual([
      '/aws/elasticache/acme-prod-ratelimit/engine-log',
      '/aws/elasticache/acme-prod-ratelimit/slow-log',
    ]);
    for (const g of groups) expect(g).toMatchObject({ kms_key_id: KEYS.logs, retention_in_days: 365 });
    expect(group.log_delivery_configuration.map((c: any) => [c.log_type, c.destination_type, c.log_format])).toEqual([
      ['slow-log', 'cloudwatch-logs', 'json'],
      ['engine-log', 'cloudwatch-logs', 'json'],
    ]);
  });

  test('keeps no snapshots: counters live for a second', () => {
    expect(group.snapshot_retention_limit).toBe(0);
  });

  test('refuses a single subnet (no second AZ) and a platform name ElastiCache cannot take', () => {
    expect(() => synthStore({ subnetIds: ['subnet-a'] })).toThrow('at least two availability zones');
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(
      () =>
        new RateLimitStore(stack, 'ratelimit', {
          // The schema refuses such a name first; the construct still guards a spec built by code.
          platform: { ...platformSpec(), name: 'a--b' },
          vpcId: 'vpc',
          subnetIds: ['a', 'b'],
          clusterSecurityGroupId: CLUSTER_SG,
          kmsKeyArn: KEYS.elasticache,
          secretsKmsKeyArn: KEYS.secrets,
          logsKmsKeyArn: KEYS.logs,
        }),
    ).toThrow(
      new ValidationError(
        'platform.json',
        'name',
        'derives the ElastiCache replication group id a--b-prod-ratelimit, which must be 1-40 lowercase letters, digits and single hyphens: ' +
          'choose a platform name without consecutive hyphens',
        'a--b',
      ),
    );
  });
});

function synthService(): { json: SynthJson; outdir: string } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  new RateLimitService(stack, 'ratelimit', { platform: platformSpec(), tiers: resolveTiers(), gatewayPort: 8080 });
  const outdir = Testing.fullSynth(stack);
  return { json: SynthJson.parse(fs.readFileSync(path.join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8')), outdir };
}

describe('RateLimitService: envoyproxy/ratelimit for the ingress gateway', () => {
  const { json, outdir } = synthService();
  const release = json.one('helm_release');
  const values = JSON.parse(release.values[0]);
  const dataId = (type: string) => Object.keys(json.data(type))[0];

  test('finds the Valkey and its AUTH token by name', () => {
    expect(Object.values(json.data('aws_elasticache_replication_group'))).toEqual([
      expect.objectContaining({ replication_group_id: 'acme-prod-ratelimit' }),
    ]);
    expect(Object.values(json.data('aws_secretsmanager_secret_version'))).toEqual([
      expect.objectContaining({ secret_id: 'acme-prod/ratelimit/redis-auth-token' }),
    ]);
    expect(values.redis).toEqual({
      url: `\${data.aws_elasticache_replication_group.${dataId('aws_elasticache_replication_group')}.primary_endpoint_address}:6379`,
      secret: `\${kubernetes_secret_v1.${json.idOf('kubernetes_secret_v1')}.metadata[0].name}`,
      // A rotated token is a new version, which rolls the pods.
      authVersion: `\${data.aws_secretsmanager_secret_version.${dataId('aws_secretsmanager_secret_version')}.version_id}`,
    });
  });

  test('writes the token into a Secret of the rate limit namespace, under the name ratelimit reads', () => {
    expect(json.one('kubernetes_secret_v1')).toMatchObject({
      metadata: { name: 'ratelimit-redis', namespace: 'ratelimit' },
      type: 'Opaque',
      data: { REDIS_AUTH: `\${data.aws_secretsmanager_secret_version.${dataId('aws_secretsmanager_secret_version')}.secret_string}` },
    });
  });

  test('writes the fallback descriptor at the smallest tier rate, for clusters no tenant file names', () => {
    const fallback = json.one('kubernetes_config_map_v1');
    expect(fallback.metadata).toEqual({
      name: 'platform-default',
      namespace: 'ratelimit',
      labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/ratelimit-descriptor': 'true' },
    });
    expect(fallback.data).toEqual({
      'platform-default.yaml': defaultDescriptorFile(Math.min(...Object.values(tierCatalog).map((t) => t.requestsPerSecond))),
    });
    expect(JSON.parse(fallback.data['platform-default.yaml']).descriptors[0].rate_limit.requests_per_unit).toBe(100);
  });

  test('installs the local chart as an asset, after the token and the fallback', () => {
    const chart = parse(fs.readFileSync(path.join(RATE_LIMIT_CHART_DIR, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: RATE_LIMIT_RELEASE });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(release).toMatchObject({ name: RATE_LIMIT_RELEASE, namespace: 'ratelimit', version: chart.version, atomic: true, wait: true });
    expect(release.chart).toMatch(/^assets\//);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'test', release.chart, 'templates', 'deployment.yaml'))).toBe(true);
    expect(release.depends_on).toEqual(
      expect.arrayContaining([
        `kubernetes_secret_v1.${json.idOf('kubernetes_secret_v1')}`,
        `kubernetes_config_map_v1.${json.idOf('kubernetes_config_map_v1')}`,
      ]),
    );
  });

  test('chart templates use only plain value substitutions and if blocks', () => {
    for (const expression of templateExpressions(RATE_LIMIT_CHART_DIR)) expect(expression).toMatch(ALLOWED_EXPRESSION);
  });

  describe('rendered chart objects', () => {
    const objects = renderChart(RATE_LIMIT_CHART_DIR, release);
    const byKind = (kind: string) => {
      const found = objects.filter((o) => o.kind === kind);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const deployment = byKind('Deployment');
    const pod = deployment.spec.template.spec;
    const [ratelimit] = pod.containers;
    const [sync] = pod.initContainers;
    const env = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

    test('run on the tainted system nodes above every tier: tenant scale-ups cannot preempt the limit that protects tenants', () => {
      expect(pod.priorityClassName).toBe('tenantctl-platform');
      expect(pod.nodeSelector).toEqual({ 'tenantctl.io/pool': 'system' });
      expect(pod.tolerations).toEqual([{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }]);
    });

    test('are exactly these, and each matches its published schema', () => {
      expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
        'Deployment/ratelimit/ratelimit',
        'EnvoyFilter/istio-system/tenant-rate-limit',
        'HorizontalPodAutoscaler/ratelimit/ratelimit',
        'NetworkPolicy/ratelimit/ratelimit',
        'PodDisruptionBudget/ratelimit/ratelimit',
        'PodMonitor/ratelimit/ratelimit',
        'PrometheusRule/ratelimit/ratelimit',
        'Role/ratelimit/ratelimit-config-reader',
        'RoleBinding/ratelimit/ratelimit-config-reader',
        'Service/ratelimit/ratelimit',
        'ServiceAccount/ratelimit/ratelimit',
      ]);
      for (const obj of objects) expect(validateManifest(obj)).toBeUndefined();
    });

    test('run the pinned images', () => {
      expect(ratelimit.image).toBe(imageVersions.ratelimit);
      expect(sync.image).toBe(imageVersions.k8sSidecar);
      expect(imageVersions.ratelimit).toMatch(/^docker\.io\/envoyproxy\/ratelimit:[0-9a-f]{8}$/);
      expect(imageVersions.k8sSidecar).toMatch(/^quay\.io\/kiwigrid\/k8s-sidecar:\d+\.\d+\.\d+$/);
    });

    test('pass Pod Security "restricted": non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root', () => {
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.hostNetwork ?? false).toBe(false);
      for (const c of [...pod.initContainers, ...pod.containers]) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext.runAsUser).toBeGreaterThan(0);
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
      }
      expect(pod.volumes).toEqual([{ name: 'config', emptyDir: { sizeLimit: '16Mi' } }]);
    });

    test('run at least three replicas spread over nodes and zones, autoscaled on CPU, drained one at a time', () => {
      expect(deployment.spec.replicas).toBeUndefined();
      expect(byKind('HorizontalPodAutoscaler').spec).toMatchObject({
        scaleTargetRef: { kind: 'Deployment', name: 'ratelimit' },
        minReplicas: 3,
        maxReplicas: 10,
      });
      expect(byKind('PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'ratelimit' } } });
      expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
        'kubernetes.io/hostname',
      );
      expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 });
      expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    });

    test('ratelimit talks TLS to the Valkey primary with the AUTH token from the Secret', () => {
      expect(env(ratelimit)).toMatchObject({
        REDIS_SOCKET_TYPE: 'tcp',
        REDIS_TYPE: 'SINGLE',
        REDIS_URL: values.redis.url,
        REDIS_TLS: 'true',
        REDIS_AUTH: { secretKeyRef: { name: values.redis.secret, key: 'REDIS_AUTH' } },
        REDIS_HEALTH_CHECK_ACTIVE_CONNECTION: 'true',
      });
      expect(deployment.spec.template.metadata.annotations['tenantctl.io/redis-auth-version']).toBe(values.redis.authVersion);
    });

    test('ratelimit merges every descriptor file of its directory into one domain and answers with x-ratelimit-* headers', () => {
      expect(env(ratelimit)).toMatchObject({
        RUNTIME_ROOT: '/data',
        RUNTIME_SUBDIRECTORY: 'ratelimit',
        RUNTIME_APPDIRECTORY: 'config',
        RUNTIME_WATCH_ROOT: 'false',
        MERGE_DOMAIN_CONFIG: 'true',
        LIMIT_RESPONSE_HEADERS_ENABLED: 'true',
        LIMIT_LIMIT_HEADER: 'x-ratelimit-limit',
        LIMIT_REMAINING_HEADER: 'x-ratelimit-remaining',
        LIMIT_RESET_HEADER: 'x-ratelimit-reset',
        USE_STATSD: 'false',
        USE_PROMETHEUS: 'true',
        PROMETHEUS_ADDR: ':9090',
        DEBUG_HOST: '127.0.0.1',
      });
      expect(ratelimit.volumeMounts).toEqual([{ name: 'config', mountPath: '/data/ratelimit/config', readOnly: true }]);
    });

    test('a native config-sync sidecar copies the labelled ConfigMaps of its namespace into that directory before ratelimit starts', () => {
      expect(sync.restartPolicy).toBe('Always');
      expect(env(sync)).toMatchObject({
        LABEL: 'tenantctl.io/ratelimit-descriptor',
        LABEL_VALUE: 'true',
        FOLDER: '/data/ratelimit/config',
        RESOURCE: 'configmap',
        METHOD: 'WATCH',
      });
      expect(env(sync).NAMESPACE).toBeUndefined();
      expect(sync.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'sync-health' });
      expect(sync.volumeMounts).toEqual([{ name: 'config', mountPath: '/data/ratelimit/config' }]);
      const role = byKind('Role');
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
      expect(byKind('RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'ratelimit', namespace: 'ratelimit' }]);
    });

    test('a Redis outage makes replicas unready (the gateway fails open at once), never restarts them', () => {
      expect(ratelimit.readinessProbe.httpGet).toEqual({ path: '/healthcheck', port: 'http' });
      expect(ratelimit.livenessProbe).toMatchObject({ tcpSocket: { port: 'grpc' } });
    });

    test('only the ingress gateway may call the service, and only Prometheus may scrape it', () => {
      const policy = byKind('NetworkPolicy');
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
              podSelector: { matchLabels: names.ingressGatewayLabels },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8081 }],
        },
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 9090 }],
        },
      ]);
      expect(byKind('Service').spec.ports).toEqual([{ name: 'grpc', appProtocol: 'grpc', protocol: 'TCP', port: 8081, targetPort: 'grpc' }]);
    });

    test('the gateway asks the service before routing, keyed by the upstream cluster the route chose, and fails open', () => {
      const ef = byKind('EnvoyFilter');
      expect(ef.apiVersion).toBe('networking.istio.io/v1alpha3');
      expect(ef.spec.workloadSelector).toEqual({ labels: names.ingressGatewayLabels });
      const [filter, vhost] = ef.spec.configPatches;
      expect(filter.applyTo).toBe('HTTP_FILTER');
      expect(filter.match).toEqual({
        context: 'GATEWAY',
        listener: {
          portNumber: 8080,
          filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
        },
      });
      expect(filter.patch).toEqual({
        operation: 'INSERT_BEFORE',
        value: {
          name: 'envoy.filters.http.ratelimit',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
            domain: 'tenantctl-ingress',
            timeout: '0.05s',
            failure_mode_deny: false,
            // Istio's own cluster for the chart's Service.
            rate_limit_service: {
              transport_api_version: 'V3',
              grpc_service: { envoy_grpc: { cluster_name: 'outbound|8081||ratelimit.ratelimit.svc.cluster.local' } },
            },
          },
        },
      });
      expect(vhost).toEqual({
        applyTo: 'VIRTUAL_HOST',
        match: { context: 'GATEWAY', routeConfiguration: { portNumber: 8080 } },
        patch: { operation: 'MERGE', value: { rate_limits: [{ actions: [{ destination_cluster: {} }] }] } },
      });
    });

    test('Prometheus scrapes the service and labels tenant series with their namespace', () => {
      const monitor = byKind('PodMonitor');
      expect(monitor.spec.podMetricsEndpoints).toEqual([
        {
          port: 'metrics',
          path: '/metrics',
          interval: '15s',
          metricRelabelings: [
            {
              sourceLabels: ['key1', 'key2'],
              regex: 'destination_cluster_outbound_8080__gateway;(.+)',
              targetLabel: 'destination_namespace',
              replacement: '$1',
            },
          ],
        },
      ]);
    });

    test('alerts when no replica is available, Redis fails or a descriptor file does not load', () => {
      const rules = byKind('PrometheusRule').spec.groups[0].rules;
      expect(rules.map((r: any) => [r.alert, r.labels.severity])).toEqual([
        ['RateLimitServiceUnavailable', 'critical'],
        ['RateLimitBackendErrors', 'critical'],
        ['RateLimitConfigNotLoaded', 'warning'],
      ]);
      expect(rules[0].expr).toBe('max(kube_deployment_status_replicas_available{namespace="ratelimit", deployment="ratelimit"}) < 1');
    });
  });
});

/**
 * Evaluates the admission policy's CEL with JavaScript: the expressions use only string
 * literals, +, ==, ?:, &&, ||, `in` over map keys, has(), size(), int(), startsWith, endsWith,
 * substring and matches, whose semantics are the same in both (the regexes are RE2-compatible).
 */
function admits(policy: any, configMap: { name: string; data?: Record<string, string> }): boolean {
  const context = vm.createContext({
    object: { metadata: { name: configMap.name }, data: configMap.data },
    variables: {} as Record<string, unknown>,
    has: (v: unknown) => v !== undefined,
    size: (v: unknown) => (typeof v === 'string' ? v.length : Object.keys(v as object).length),
    int: (v: string) => {
      if (!/^-?\d+$/.test(v)) throw new Error(`int(${v})`);
      return Number(v);
    },
  });
  vm.runInContext('String.prototype.matches = function (re) { return new RegExp(re).test(this); }', context);
  for (const v of policy.spec.variables) context.variables[v.name] = vm.runInContext(v.expression, context);
  return policy.spec.validations.every((v: any) => vm.runInContext(v.expression, context) === true);
}

describe('RateLimitService: admission of descriptor ConfigMaps', () => {
  const { json } = synthService();
  const manifests = Object.values(json.resources('kubernetes_manifest')).map((m: any) => m.manifest);
  const policy = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy');
  const binding = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding');
  const tenant = (name: string, data: Record<string, string>) => ({ name, data });

  test('a ValidatingAdmissionPolicy and its binding, built in (no CRD), valid against their schemas', () => {
    for (const m of [policy, binding]) expect(validateManifest(m)).toBeUndefined();
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  test('watches writes of labelled ConfigMaps in the rate limit namespace only, and fails closed', () => {
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints).toEqual({
      matchPolicy: 'Equivalent',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ratelimit' } },
      objectSelector: { matchExpressions: [{ key: 'tenantctl.io/ratelimit-descriptor', operator: 'Exists' }] },
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'], scope: 'Namespaced' }],
    });
  });

  test("admits a tenant's descriptor exactly as its stack writes it, at any rate, and the fallback", () => {
    for (const rate of [1, 100, 10000, 4294967295])
      expect(admits(policy, tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', rate) }))).toBe(true);
    expect(admits(policy, tenant('platform-default', { 'platform-default.yaml': defaultDescriptorFile(100) }))).toBe(true);
  });

  test.each([
    ["another tenant's entry cluster", tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-globex', 100) })],
    ['a descriptor under another name', tenant('tenant-acme', { 'globex.yaml': tenantDescriptorFile('tenant-acme', 100) })],
    ['a second file', tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', 100), 'more.yaml': defaultDescriptorFile(1) })],
    [
      'a second descriptor',
      tenant('tenant-acme', {
        'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', 100).replace(
          /\]\}$/,
          ',{"key":"destination_cluster","rate_limit":{"unit":"second","requests_per_unit":1}}]}',
        ),
      }),
    ],
    [
      'nested descriptors',
      tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', 100).replace('}}]}', '},"descriptors":[{"key":"x"}]}]}') }),
    ],
    ['a rate of zero', tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', 100).replace(':100}', ':0}') })],
    [
      'a rate ratelimit cannot parse (above uint32)',
      tenant('tenant-acme', { 'tenant-acme.yaml': tenantDescriptorFile('tenant-acme', 100).replace(':100}', ':4294967296}') }),
    ],
    ['no data', { name: 'tenant-acme' }],
    ['the fallback under a tenant name', tenant('tenant-acme', { 'tenant-acme.yaml': defaultDescriptorFile(100) })],
    ['a tenant descriptor as the fallback', tenant('platform-default', { 'platform-default.yaml': tenantDescriptorFile('tenant-acme', 100) })],
    ['a name that is no tenant namespace', tenant('acme', { 'acme.yaml': tenantDescriptorFile('acme', 100) })],
  ])('denies %s', (_what, configMap) => {
    expect(admits(policy, configMap)).toBe(false);
  });
});

describe('GIVEN the cluster stack and tenant stacks of every tier', () => {
  const platform = platformSpec();
  const tiers = resolveTiers();
  const cluster = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));
  const policy = Object.values(cluster.resources('kubernetes_manifest')).find(
    (m: any) => m.manifest.kind === 'ValidatingAdmissionPolicy' && m.manifest.metadata.name === 'tenantctl-ratelimit-descriptors',
  )!.manifest;
  const tenants = [
    { id: 'beta', tier: 'starter' },
    { id: 'gamma', tier: 'standard', overrides: { tier: { requestsPerSecond: 1500 } } },
    { id: 'acme', tier: 'enterprise' },
  ].map((config) => resolveTenant(tenantSchema.parse({ version: 1, ...config }), platform, tiers, `${config.id}.json`));

  test.each(tenants.map((t) => [t.id, t] as const))(
    'THEN tenant %s writes its descriptor at its rate into the rate limit namespace, and admission lets it in',
    (_id, tenant) => {
      const json = SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant })));
      const [descriptor] = json.where('kubernetes_config_map_v1', (c) => c.metadata.namespace === 'ratelimit');
      expect(descriptor).toEqual({
        metadata: {
          name: tenant.names.namespace,
          namespace: 'ratelimit',
          labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': tenant.id, 'tenantctl.io/ratelimit-descriptor': 'true' },
        },
        data: { [`${tenant.names.namespace}.yaml`]: tenantDescriptorFile(tenant.names.namespace, tenant.tierSpec.requestsPerSecond) },
      });
      // The tier's rate, or the tenant's override of it.
      const rate = JSON.parse(descriptor.data[`${tenant.names.namespace}.yaml`]).descriptors[0].rate_limit.requests_per_unit;
      expect(rate).toBe(tenant.id === 'gamma' ? 1500 : tiers[tenant.tier].requestsPerSecond);
      expect(admits(policy, { name: descriptor.metadata.name, data: descriptor.data })).toBe(true);
    },
  );

  test("THEN the cluster stack's fallback passes its own admission policy", () => {
    const fallback = cluster.where('kubernetes_config_map_v1', (c) => c.metadata.name === 'platform-default')[0];
    expect(admits(policy, { name: fallback.metadata.name, data: fallback.data })).toBe(true);
  });
});

describe('GIVEN the platform stack', () => {
  const json = SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: platformSpec() })));
  const group = json.one('aws_elasticache_replication_group');
  const keyOf = (alias: string) => json.where('aws_kms_alias', (a) => a.name === alias)[0].target_key_id.replace('.key_id}', '.arn}');

  test('THEN the Valkey is encrypted with the ElastiCache key and its token with the secrets key', () => {
    expect(group.kms_key_id).toBe(keyOf('alias/acme-prod/elasticache'));
    expect(json.one('aws_secretsmanager_secret').kms_key_id).toBe(keyOf('alias/acme-prod/secrets'));
  });

  test('THEN it sits in the database subnets and admits the cluster security group EKS created', () => {
    const databaseSubnets = Object.entries(json.resources('aws_subnet'))
      .filter(([id]) => id.startsWith('network_database-subnet-'))
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    expect(databaseSubnets).toHaveLength(3);
    expect(json.one('aws_elasticache_subnet_group').subnet_ids).toEqual(databaseSubnets);
    const [rule] = json.where('aws_vpc_security_group_ingress_rule', (r) => r.from_port === 6379);
    expect(rule.referenced_security_group_id).toBe(`\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.vpc_config[0].cluster_security_group_id}`);
  });
});
