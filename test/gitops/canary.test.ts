import * as path from 'path';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { CANARY_WEIGHTS, canaryMetrics, waveGateQuery } from '../../src/model/canary';
import { platformNames } from '../../src/model/names';
import type { PlatformConfig, PlatformSpec } from '../../src/model/platform-schema';
import { platformSchema } from '../../src/model/platform-schema';
import type { TenantSpec } from '../../src/model/project';
import { describeMove, releaseMoves } from '../../src/model/release-moves';
import { releaseStep, releasedTag, waveIndex } from '../../src/model/release-waves';
import { tenantServices } from '../../src/model/tenant-services';
import { validateManifest } from '../../src/manifests/schema';
import { istioSelectors } from '../../src/policy/rules/canary';
import { PlatformServices } from '../../stacks/constructs/platform-services';
import { admissionPolicySpec } from '../../stacks/constructs/kubernetes/tenant-deployer-access';
import { tenantNamespaceAdmissionSpec } from '../../stacks/constructs/kubernetes/tenant-namespace-admission';
import { TenantStack } from '../../stacks/tenant-stack';
import { admits } from '../cel';
import { renderChart } from '../chart-render';
import { platformServicesProps } from '../constructs/platform-services-fixture';
import { platformConfig, SynthJson } from '../util';
import { catalogPlatform, catalogTenant, exampleCatalog } from './fixtures';

const CHART = path.join(__dirname, '..', '..', 'templates', 'charts', 'tenant-service');
const ROLE_ARN = 'arn:aws:iam::111122223333:role/acme-prod-tenant-acme--task';
const WAVES: PlatformConfig['waves'] = [
  { name: 'canary' },
  { name: 'early', tiers: ['starter'] },
  { name: 'general', tiers: ['standard', 'enterprise'] },
];

const synthTenant = (platform: PlatformSpec, tenant: TenantSpec) =>
  SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant })));
const ofKind = (json: SynthJson, kind: string) => json.where('kubernetes_manifest', (m) => m.manifest.kind === kind);
const wavedPlatform = (release?: { tag: string; through: string }) =>
  catalogPlatform({
    waves: WAVES,
    services: exampleCatalog.services!.map((s) => (s.name === 'task' && release ? { ...s, release } : s)),
  });

describe('GIVEN a platform with the example catalog WHEN its services are synthesized', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  const platform = catalogPlatform();
  const cluster = new EksClusterResource(stack, 'eks', {
    name: platformNames(platform).cluster,
    roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster',
    vpcConfig: { subnetIds: ['subnet-a'] },
  });
  new PlatformServices(stack, 'services', platformServicesProps(platform, cluster));
  const json = SynthJson.parse(Testing.synth(stack));
  const release = json.where('helm_release', (r) => r.chart === 'argo-rollouts')[0];
  const values = JSON.parse(release.values[0]);

  test('THEN Argo Rollouts is the pinned argo-helm chart in Argo CD namespace, after Prometheus (its ServiceMonitor)', () => {
    expect(release).toMatchObject({
      name: 'argo-rollouts',
      repository: 'https://argoproj.github.io/argo-helm',
      version: '2.41.0',
      namespace: 'argocd',
      atomic: true,
    });
    expect(release.depends_on).toContain(`helm_release.${json.idOf('helm_release', (r) => r.chart === 'kube-prometheus-stack')}`);
  });

  test('THEN its controller is highly available on the system nodes at the platform priority, scraped, and the dashboard is off', () => {
    expect(values.controller).toMatchObject({
      nodeSelector: { 'tenantctl.io/pool': 'system' },
      tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
      priorityClassName: 'tenantctl-platform',
      replicas: 2,
      pdb: { enabled: true, minAvailable: 1 },
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    });
    expect(values.dashboard).toEqual({ enabled: false });
    expect(values).toMatchObject({ installCRDs: true, keepCRDs: true });
  });

  test("THEN Argo CD exports the Applications' service, version, wave and pin labels that the wave gates read", () => {
    const argo = JSON.parse(json.where('helm_release', (r) => r.chart === 'argo-cd')[0].values[0]);
    expect(argo.controller.metrics).toEqual({
      enabled: true,
      serviceMonitor: { enabled: true },
      applicationLabels: {
        enabled: true,
        labels: ['app.kubernetes.io/name', 'app.kubernetes.io/version', 'tenantctl.io/wave', 'tenantctl.io/pinned'],
      },
    });
  });

  test("THEN the monitoring namespace admits the controller's pods, and only them, to Prometheus's API port (every gate is its query)", () => {
    const policy = json.where('kubernetes_network_policy_v1', (p) => p.metadata.name === 'allow-rollouts-analysis');
    expect(policy).toHaveLength(1);
    expect(policy[0].metadata.namespace).toBe('monitoring');
    expect(policy[0].spec).toEqual({
      pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } },
      policy_types: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'argocd' } },
              pod_selector: { match_labels: { 'app.kubernetes.io/name': 'argo-rollouts', 'app.kubernetes.io/instance': release.name } },
            },
          ],
          ports: [{ protocol: 'TCP', port: '9090' }],
        },
      ],
    });
  });

  test('THEN a platform with GitOps but no catalog installs no Argo Rollouts, and opens Prometheus to nothing for it', () => {
    const bare = new TerraformStack(Testing.app(), 'bare');
    new AwsProvider(bare, 'aws', { region: 'eu-west-1' });
    const p = catalogPlatform({ services: [] });
    const c = new EksClusterResource(bare, 'eks', { name: 'x', roleArn: 'arn:aws:iam::111122223333:role/x', vpcConfig: { subnetIds: ['subnet-a'] } });
    new PlatformServices(bare, 'services', platformServicesProps(p, c));
    const synthesized = SynthJson.parse(Testing.synth(bare));
    expect(synthesized.where('helm_release', (r) => r.chart === 'argo-rollouts')).toEqual([]);
    expect(synthesized.where('kubernetes_network_policy_v1', (r) => r.metadata.name === 'allow-rollouts-analysis')).toEqual([]);
  });
});

describe("GIVEN a tenant's canary analysis", () => {
  const platform = catalogPlatform();
  const json = synthTenant(platform, catalogTenant(platform, { id: 'acme', tier: 'standard' }));
  const [template] = ofKind(json, 'AnalysisTemplate');

  test("THEN it is the tenant stack's AnalysisTemplate in the tenant's namespace, valid against the Argo Rollouts schema", () => {
    expect(ofKind(json, 'AnalysisTemplate').map((t) => t.manifest.metadata.name)).toEqual(['tenantctl-canary']);
    expect(template.manifest.metadata.namespace).toBe('tenant-acme');
    expect(validateManifest(template.manifest)).toBeUndefined();
    for (const app of ofKind(json, 'Application'))
      expect(app.depends_on).toContain(`kubernetes_manifest.${json.idOf('kubernetes_manifest', (m) => m.manifest.kind === 'AnalysisTemplate')}`);
  });

  test('THEN its gates are 99% success and a p99 latency of 500 ms, measured each minute, the second failure aborting', () => {
    expect(template.manifest.spec.metrics.map((m: any) => [m.name, m.interval, m.failureLimit, m.failureCondition])).toEqual([
      ['success-rate', '1m', 1, 'len(result) > 0 && !isNaN(result[0]) && result[0] < 0.99'],
      ['latency-p99', '1m', 1, 'len(result) > 0 && !isNaN(result[0]) && result[0] > 500'],
    ]);
    for (const m of template.manifest.spec.metrics)
      expect(m.provider.prometheus.address).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
    expect(template.manifest.spec.metrics[1].provider.prometheus.query).toMatch(
      /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(istio_request_duration_milliseconds_bucket\{/,
    );
  });

  test("THEN every series it reads is the tenant's own: the scrape target's namespace and Istio's destination namespace at the tenant's sidecars", () => {
    const selectors = template.manifest.spec.metrics.flatMap((m: any) => istioSelectors(m.provider.prometheus.query));
    expect(selectors.map((s: any) => s.metric)).toEqual([
      'istio_requests_total',
      'istio_requests_total',
      'istio_request_duration_milliseconds_bucket',
    ]);
    for (const s of selectors)
      expect(s.matchers).toMatchObject({
        'reporter=': 'destination',
        'namespace=': 'tenant-acme',
        'destination_workload_namespace=': 'tenant-acme',
        'destination_app=': '{{args.service}}',
        'destination_version=': '{{args.version}}',
      });
    // Another tenant's gates name only that tenant.
    expect(JSON.stringify(canaryMetrics('tenant-other'))).not.toContain('tenant-acme');
  });

  test('THEN a canary that answers only 5xx measures 0%, not nothing', () => {
    expect(template.manifest.spec.metrics[0].provider.prometheus.query).toMatch(
      /^\(sum\(rate\(istio_requests_total\{.*, response_code!~"5\.\."\}\[2m\]\)\) or vector\(0\)\) \/ sum\(rate\(istio_requests_total\{/,
    );
  });
});

describe("GIVEN a tenant's AnalysisTemplates WHEN anyone writes them in its namespace", () => {
  const platform = wavedPlatform();
  const json = synthTenant(platform, catalogTenant(platform, { id: 'big', tier: 'enterprise' }));
  const templates = ofKind(json, 'AnalysisTemplate').map((t) => t.manifest);
  const pipeline = ['tenantctl:tenant-deployers', 'tenantctl:tenant:big', 'system:authenticated'];
  const write = (spec: Record<string, unknown>, object: any, groups: string[] = ['system:serviceaccounts', 'system:authenticated']) =>
    admits(spec, {
      operation: 'CREATE',
      group: 'argoproj.io',
      resource: 'analysistemplates',
      namespace: 'tenant-big',
      name: object.metadata.name,
      username: 'system:serviceaccount:tenant-big:app',
      groups,
      object,
      namespaceObject: { metadata: { name: 'tenant-big', labels: { 'tenantctl.io/tenant': 'big', 'tenantctl.io/tier': 'enterprise' } } },
    });
  const namespaces = tenantNamespaceAdmissionSpec(platform);
  const deployers = admissionPolicySpec(platform);
  const edit = (o: any, change: (copy: any) => void) => {
    const copy = JSON.parse(JSON.stringify(o));
    change(copy);
    return copy;
  };

  test("THEN the stack's canary gates and wave gate are admitted, to anyone under the namespace policy and to the tenant's pipeline", () => {
    expect(templates.map((t) => t.metadata.name)).toEqual(['tenantctl-canary', 'tenantctl-wave-gate']);
    for (const t of templates) expect([t.metadata.name, write(namespaces, t), write(deployers, t, pipeline)]).toEqual([t.metadata.name, true, true]);
  });

  test("THEN an analysis that reaches past Prometheus, queries another Prometheus or another tenant's series, or has another name is refused", () => {
    const [gates] = templates;
    const breaches = [
      edit(gates, (c) => (c.spec.metrics[0].provider = { web: { url: 'http://169.254.169.254/latest/meta-data/' } })),
      edit(gates, (c) => (c.spec.metrics[0].provider.job = { spec: { template: { spec: { containers: [] } } } })),
      edit(gates, (c) => (c.spec.metrics[0].provider.prometheus.address = 'http://evil.example.com:9090')),
      edit(
        gates,
        (c) => (c.spec.metrics[0].provider.prometheus.query = c.spec.metrics[0].provider.prometheus.query.replace(/tenant-big/g, 'tenant-small')),
      ),
      edit(gates, (c) => (c.spec.metrics[1].provider.prometheus.query = 'vector(1)')),
      edit(gates, (c) => (c.metadata.name = 'always-passes')),
    ];
    for (const b of breaches) expect([write(namespaces, b), write(deployers, b, pipeline)]).toEqual([false, false]);
  });
});

describe("GIVEN a service behind the entry WHEN its chart is rendered with its Application's values", () => {
  const platform = catalogPlatform();
  const json = synthTenant(platform, catalogTenant(platform, { id: 'acme', tier: 'standard' }));
  const app = ofKind(json, 'Application').find((a) => a.manifest.metadata.name === 'tenant-acme--task');
  const values = { ...app.manifest.spec.source.helm.valuesObject, serviceAccount: { name: 'task', roleArn: ROLE_ARN } };
  const objects = renderChart(CHART, { values: [JSON.stringify(values)] });
  const rollout = objects.find((o) => o.kind === 'Rollout');
  const vs = objects.find((o) => o.kind === 'VirtualService');

  test('THEN the Rollout steps 10% to 50% with pauses, analysed from the start by the tenant gates, split by Istio between its stable and canary Services', () => {
    expect(validateManifest({ ...rollout, metadata: { ...rollout.metadata, namespace: 'tenant-acme' } })).toBeUndefined();
    expect(rollout.spec.strategy.canary).toEqual({
      maxUnavailable: 0,
      maxSurge: 1,
      analysis: {
        templates: [{ templateName: 'tenantctl-canary' }],
        args: [
          { name: 'service', value: 'task' },
          { name: 'version', value: '1.0.0' },
        ],
      },
      stableService: 'task',
      canaryService: 'task-canary',
      dynamicStableScale: true,
      trafficRouting: { istio: { virtualService: { name: 'task', routes: ['primary'] } } },
      steps: CANARY_WEIGHTS.flatMap((w) => [{ setWeight: w }, { pause: { duration: '2m' } }]),
    });
    expect(rollout.spec.template.metadata.labels).toMatchObject({ app: 'task', version: '1.0.0' });
  });

  test('THEN the VirtualService it moves is mesh-internal: its own sidecars only, exported to the namespace only, to its own two Services', () => {
    expect(validateManifest({ ...vs, metadata: { ...vs.metadata, namespace: 'tenant-acme' } })).toBeUndefined();
    expect(vs.spec).toEqual({
      hosts: ['task'],
      gateways: ['mesh'],
      exportTo: ['.'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'task' }, weight: 100 },
            { destination: { host: 'task-canary' }, weight: 0 },
          ],
        },
      ],
    });
    expect(objects.filter((o) => o.kind === 'Service').map((s) => [s.metadata.name, s.spec.ports[0].port])).toEqual([
      ['task-canary', 8081],
      ['task', 8081],
    ]);
  });

  test("THEN Argo CD keeps Argo Rollouts' weights: the Application ignores them and respects that on sync", () => {
    expect(app.manifest.spec.ignoreDifferences).toEqual([
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'task', jqPathExpressions: ['.spec.http[].route[].weight'] },
    ]);
    expect(app.manifest.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    expect(validateManifest(app.manifest)).toBeUndefined();
  });

  describe("WHEN Argo CD or Argo Rollouts writes them through the tenant namespaces' admission", () => {
    const spec = tenantNamespaceAdmissionSpec(platform);
    const write = (object: any, username = 'system:serviceaccount:argocd:argocd-application-controller') =>
      admits(spec, {
        operation: 'UPDATE',
        group: object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '',
        resource: `${object.kind.toLowerCase()}s`,
        namespace: 'tenant-acme',
        name: object.metadata.name,
        username,
        groups: ['system:serviceaccounts', 'system:authenticated'],
        object,
        namespaceObject: { metadata: { name: 'tenant-acme', labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/tier': 'standard' } } },
      });
    const edit = (o: any, change: (copy: any) => void) => {
      const copy = JSON.parse(JSON.stringify(o));
      change(copy);
      return copy;
    };

    test('THEN every rendered object is admitted, and so is the controller moving the weights', () => {
      for (const o of objects) expect([o.kind, write(o)]).toEqual([o.kind, true]);
      const moved = edit(vs, (c) => {
        c.spec.http[0].route[0].weight = 70;
        c.spec.http[0].route[1].weight = 30;
      });
      expect(write(moved, 'system:serviceaccount:argocd:argo-rollouts')).toBe(true);
    });

    test('THEN a mesh VirtualService seen by other namespaces, naming or routing to a Service elsewhere, or to a subset, is refused', () => {
      expect(write(edit(vs, (c) => delete c.spec.exportTo))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.exportTo = ['*'])))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.gateways = ['mesh', 'istio-system/tenant-gateway'])))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.hosts = ['task.tenant-other.svc.cluster.local'])))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.http[0].route[1].destination.host = 'task.tenant-other.svc.cluster.local')))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.http[0].route[1].destination.subset = 'v2')))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.http[0].mirror = { host: 'task-canary' })))).toBe(false);
      expect(write(edit(vs, (c) => (c.spec.http[0].route[1].destination.host = 'task-canary.tenant-acme.svc.cluster.local')))).toBe(true);
    });

    test('THEN the ingress rule stays: a VirtualService on the gateway still routes only to the entry Service, never to a canary Service', () => {
      const ingress = ofKind(json, 'VirtualService')[0].manifest;
      expect(write(ingress)).toBe(true);
      expect(
        write(
          edit(ingress, (c) => {
            c.spec.http[0].route = [
              { destination: { host: 'gateway.tenant-acme.svc.cluster.local', port: { number: 8080 } }, weight: 90 },
              { destination: { host: 'gateway-canary.tenant-acme.svc.cluster.local', port: { number: 8080 } }, weight: 10 },
            ];
          }),
        ),
      ).toBe(false);
    });

    test("THEN a Rollout without the tenant's gates, starting them late, with a cluster or a second template, or a blue-green one is refused", () => {
      expect(write(edit(rollout, (c) => delete c.spec.strategy.canary.analysis))).toBe(false);
      expect(write(edit(rollout, (c) => (c.spec.strategy.canary.analysis.templates = [{ templateName: 'always-passes' }])))).toBe(false);
      expect(write(edit(rollout, (c) => (c.spec.strategy.canary.analysis.startingStep = 9)))).toBe(false);
      expect(write(edit(rollout, (c) => c.spec.strategy.canary.analysis.templates.push({ templateName: 'x', clusterScope: true })))).toBe(false);
      expect(
        write(edit(rollout, (c) => c.spec.strategy.canary.steps.unshift({ analysis: { templates: [{ templateName: 'y', clusterScope: true }] } }))),
      ).toBe(false);
      expect(write(edit(rollout, (c) => c.spec.strategy.canary.steps.unshift({ experiment: { templates: [] } })))).toBe(false);
      expect(write(edit(rollout, (c) => (c.spec.strategy = { blueGreen: { activeService: 'task' } })))).toBe(false);
    });

    test("THEN a Rollout's analysis arguments are literal names and tags: one that would rewrite the gates' PromQL, or comes from elsewhere, is refused", () => {
      const args = (c: any) => c.spec.strategy.canary.analysis.args;
      expect(rollout.spec.strategy.canary.analysis.args).toEqual([
        { name: 'service', value: 'task' },
        { name: 'version', value: '1.0.0' },
      ]);
      // Always passes: closes the selector, ORs a constant and comments the rest of the query out.
      expect(write(edit(rollout, (c) => (args(c)[1].value = '1.0.0"}[2m])) or vector(1) #')))).toBe(false);
      expect(write(edit(rollout, (c) => (args(c)[0].value = 'task",destination_workload_namespace=~".+')))).toBe(false);
      expect(write(edit(rollout, (c) => (args(c)[1] = { name: 'version', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } })))).toBe(false);
      expect(
        write(
          edit(rollout, (c) =>
            c.spec.strategy.canary.steps.unshift({
              analysis: { templates: [{ templateName: 'tenantctl-canary' }], args: [{ name: 'version', value: 'x{y}' }] },
            }),
          ),
        ),
      ).toBe(false);
      expect(write(edit(rollout, (c) => (args(c)[1].value = '1.1.0-rc.1_build.7')))).toBe(true);
    });
  });
});

describe('GIVEN the entry service WHEN its chart is rendered', () => {
  const platform = catalogPlatform();
  const json = synthTenant(platform, catalogTenant(platform, { id: 'acme', tier: 'standard' }));
  const app = ofKind(json, 'Application').find((a) => a.manifest.metadata.name === 'tenant-acme--project');
  const objects = renderChart(CHART, { values: [JSON.stringify(app.manifest.spec.source.helm.valuesObject)] });

  test("THEN its canary has no mesh split (the gateway's route names the entry Service only): its share is its share of the gateway Service's pods", () => {
    const canary = objects.find((o) => o.kind === 'Rollout').spec.strategy.canary;
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.analysis.templates).toEqual([{ templateName: 'tenantctl-canary' }]);
    expect(objects.filter((o) => o.kind === 'Service').map((s) => s.metadata.name)).toEqual(['gateway']);
    expect(objects.find((o) => o.kind === 'VirtualService')).toBeUndefined();
    expect(app.manifest.spec.ignoreDifferences).toBeUndefined();
  });
});

describe('GIVEN rollout waves', () => {
  const platform = wavedPlatform({ tag: '1.1.0', through: 'early' });

  test("THEN a tenant's wave is its file's, else its tier's, else the last", () => {
    expect(waveIndex(platform.waves, { tier: 'enterprise', wave: 'canary' })).toBe(0);
    expect(waveIndex(platform.waves, { tier: 'starter' })).toBe(1);
    expect(waveIndex(platform.waves, { tier: 'standard' })).toBe(2);
    expect(
      waveIndex(
        [
          { name: 'one', tiers: [] },
          { name: 'two', tiers: [] },
        ],
        { tier: 'standard' },
      ),
    ).toBe(1);
  });

  test('THEN a release runs in the waves up to its `through` and nowhere after; pins stay', () => {
    const task = platform.services.find((s) => s.name === 'task')!;
    expect([0, 1, 2].map((i) => releasedTag(task, platform.waves, i))).toEqual(['1.1.0', '1.1.0', '1.0.0']);
    const pinned = catalogTenant(platform, { id: 'old', tier: 'starter', services: { task: { tag: '0.9.0' } } });
    expect(tenantServices(platform, pinned).find((s) => s.name === 'task')?.image.tag).toBe('0.9.0');
  });

  test('THEN each step of a release reaches the next wave, and past the last the tag is the service tag', () => {
    const service = { name: 'task', tag: '1.0.0' };
    const start = releaseStep(service, platform.waves, '1.1.0');
    expect(start).toEqual({ tag: '1.0.0', release: { tag: '1.1.0', through: 'canary' }, wave: 'canary' });
    const second = releaseStep({ ...service, release: { tag: '1.1.0', through: 'canary' } }, platform.waves);
    expect(second).toEqual({ tag: '1.0.0', release: { tag: '1.1.0', through: 'early' }, wave: 'early' });
    expect(releaseStep({ ...service, release: { tag: '1.1.0', through: 'early' } }, platform.waves)).toEqual({ tag: '1.1.0', wave: 'general' });
    expect(releaseStep(service, platform.waves)).toBe('task has no release in progress: start one with a new tag');
    expect(releaseStep({ ...service, release: { tag: '1.1.0', through: 'canary' } }, platform.waves, '1.2.0')).toMatch(/is releasing 1\.1\.0/);
    expect(releaseStep(service, [], '1.1.0')).toMatch(/defines no waves/);
  });

  test('THEN the first wave has no gate, and a later wave is gated first on every earlier wave, with its Applications labelled', () => {
    const first = synthTenant(platform, catalogTenant(platform, { id: 'pilot', tier: 'standard', wave: 'canary' }));
    expect(ofKind(first, 'AnalysisTemplate').map((t) => t.manifest.metadata.name)).toEqual(['tenantctl-canary']);
    const firstTask = ofKind(first, 'Application').find((a) => a.manifest.metadata.name === 'tenant-pilot--task');
    expect(firstTask.manifest.spec.source.helm.valuesObject.canary.steps[0]).toEqual({ setWeight: 10 });
    expect(firstTask.manifest.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': '1.1.0', 'tenantctl.io/wave': 'canary' });

    const late = synthTenant(platform, catalogTenant(platform, { id: 'big', tier: 'enterprise' }));
    const gate = ofKind(late, 'AnalysisTemplate').find((t) => t.manifest.metadata.name === 'tenantctl-wave-gate');
    expect(validateManifest(gate.manifest)).toBeUndefined();
    expect(gate.manifest.spec.metrics[0]).toMatchObject({
      interval: '5m',
      count: 24,
      failureLimit: 23,
      consecutiveSuccessLimit: 1,
      successCondition: 'len(result) > 0 && result[0] == 0',
    });
    expect(gate.manifest.spec.metrics[0].provider.prometheus.query).toBe(waveGateQuery(['canary', 'early']));
    const task = ofKind(late, 'Application').find((a) => a.manifest.metadata.name === 'tenant-big--task');
    expect(task.manifest.spec.source.helm.valuesObject.canary.steps[0]).toEqual({
      analysis: {
        templates: [{ templateName: 'tenantctl-wave-gate' }],
        args: [
          { name: 'service', value: 'task' },
          { name: 'version', value: '1.0.0' },
        ],
      },
    });
    expect(task.manifest.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': '1.0.0', 'tenantctl.io/wave': 'general' });
  });

  test("THEN the gate waits for the earlier waves' unpinned Applications of the version to be Synced and Healthy, and fails without Argo CD metrics", () => {
    expect(waveGateQuery(['canary', 'early'])).toBe(
      '((count(argocd_app_labels{label_app_kubernetes_io_name="{{args.service}}", label_tenantctl_io_wave=~"canary|early", label_tenantctl_io_pinned!="true"}) or vector(0))' +
        ' - (count(argocd_app_labels{label_app_kubernetes_io_name="{{args.service}}", label_tenantctl_io_wave=~"canary|early", label_tenantctl_io_pinned!="true", label_app_kubernetes_io_version="{{args.version}}"}' +
        ' * on (namespace, name) group_left argocd_app_info{sync_status="Synced", health_status="Healthy"}) or vector(0)))' +
        ' and on () count(argocd_app_info)',
    );
  });

  test('THEN a change lists, per service and new tag, the tenants that take it with their waves, pinned ones never', () => {
    const before = wavedPlatform();
    const tenants = [
      catalogTenant(platform, { id: 'pilot', tier: 'standard', wave: 'canary' }),
      catalogTenant(platform, { id: 'small', tier: 'starter' }),
      catalogTenant(platform, { id: 'pinned', tier: 'starter', services: { task: { tag: '1.0.0' } } }),
      catalogTenant(platform, { id: 'big', tier: 'enterprise' }),
    ];
    const moves = releaseMoves({ platform: before, tenants }, { platform, tenants });
    expect(moves).toEqual([
      {
        service: 'task',
        tag: '1.1.0',
        tenants: [
          { id: 'pilot', wave: 'canary' },
          { id: 'small', wave: 'early' },
        ],
      },
    ]);
    expect(describeMove(moves[0])).toBe('task 1.1.0: pilot (wave canary), small (wave early)');
  });

  test("THEN adding a tenant changes no other tenant's stack: gates name waves, never tenants", () => {
    const big = catalogTenant(platform, { id: 'big', tier: 'enterprise' });
    const before = Testing.synth(new TenantStack(Testing.app(), { platform, tenant: big }));
    catalogTenant(platform, { id: 'newcomer', tier: 'starter' });
    expect(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: big }))).toBe(before);
    expect(before).not.toContain('tenant-pilot');
  });

  test('THEN waves are checked like the rest of platform.json: names, tiers, a tier in one wave only, a release through a known wave', () => {
    const issues = (config: Partial<PlatformConfig>) => {
      const parsed = platformSchema.safeParse(platformConfig({ ...exampleCatalog, ...config }));
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ waves: WAVES })).toEqual([]);
    expect(
      issues({
        waves: [
          { name: 'a', tiers: ['starter'] },
          { name: 'a', tiers: ['starter', 'gold'] },
        ],
      }),
    ).toEqual(['waves.1.name: wave a is listed twice', 'waves.1.tiers.1: unknown tier: use one of starter, standard, enterprise']);
    expect(
      issues({
        waves: [
          { name: 'a', tiers: ['starter'] },
          { name: 'b', tiers: ['starter'] },
        ],
      }),
    ).toEqual(['waves.1.tiers.0: tier starter is already in wave a: a tier belongs to one wave']);
    const withRelease = (release: object, waves = WAVES) =>
      issues({ waves, services: exampleCatalog.services!.map((s) => (s.name === 'task' ? { ...s, release } : s)) as PlatformConfig['services'] });
    expect(withRelease({ tag: '1.1.0', through: 'later' })).toEqual(['services.1.release.through: unknown wave: use one of canary, early, general']);
    expect(withRelease({ tag: '1.0.0', through: 'canary' })).toEqual([
      "services.1.release.tag: is the service's tag already: set tag 1.0.0 as the release's only while it rolls out",
    ]);
    expect(withRelease({ tag: '1.1.0', through: 'canary' }, [])).toEqual([
      'services.1.release.through: a release goes through the rollout waves: define platform.json waves first',
    ]);
  });
});
