import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { platformNames } from '../../src/model/names';
import { loadBalancerControllerStatements } from '../../stacks/constructs/addons/aws-load-balancer-controller/iam-policy';
import { HelmAddon } from '../../stacks/constructs/addons/helm-addon';
import { chartRepositories, chartVersions } from '../../stacks/constructs/addons/versions';
import { PlatformServices } from '../../stacks/constructs/platform-services';
import { SynthJson, platformSpec } from '../util';
import { TARGET_GROUP_ARN, platformServicesProps } from './platform-services-fixture';

const platform = platformSpec();
const names = platformNames(platform);

function newStack() {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  return stack;
}

describe('HelmAddon', () => {
  test.each(['', '1.2', '^1.2.3', '~1.2.3', '1.2.x', '>=1.0.0', 'latest', '1.2.3-rc.1'])('rejects version %j', (version) => {
    expect(
      () => new HelmAddon(newStack(), 'addon', { releaseName: 'x', chart: 'x', repository: 'https://charts.example', version, namespace: 'default' }),
    ).toThrow(/is not an exact version/);
  });

  test('creates one release with safe install settings and the values as one JSON document', () => {
    const stack = newStack();
    new HelmAddon(stack, 'addon', {
      releaseName: 'demo',
      chart: 'demo-chart',
      repository: 'https://charts.example',
      version: '1.2.3',
      namespace: 'demo',
      values: { a: { b: [1, 'two'] } },
    });
    const release = SynthJson.parse(Testing.synth(stack)).one('helm_release');
    expect(release).toEqual({
      name: 'demo',
      chart: 'demo-chart',
      repository: 'https://charts.example',
      version: '1.2.3',
      namespace: 'demo',
      atomic: true,
      cleanup_on_fail: true,
      wait: true,
      timeout: 900,
      create_namespace: false,
      max_history: 10,
      values: [JSON.stringify({ a: { b: [1, 'two'] } }, null, 2)],
    });
  });
});

describe('chart versions', () => {
  test('are all exact', () => {
    for (const version of Object.values(chartVersions)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('platform add-ons', () => {
  const stack = newStack();
  const cluster = new EksCluster(stack, 'eks', {
    name: names.cluster,
    roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster',
    vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] },
  });
  new PlatformServices(stack, 'services', platformServicesProps(platform, cluster));
  const json = SynthJson.parse(Testing.synth(stack));
  const release = (name: string) => {
    const found = json.where('helm_release', (r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const values = (name: string) => JSON.parse(release(name).values[0]);

  test('every release pins an exact chart version from an upstream repository (or ships its local chart)', () => {
    const releases = Object.values(json.resources('helm_release'));
    expect(releases.map((r) => r.name).sort()).toEqual([
      'aws-load-balancer-controller',
      'cluster-autoscaler',
      'istio-base',
      'istio-cni',
      'istio-ingressgateway',
      'istiod',
      'jaeger',
      'kiali',
      'kube-prometheus-stack',
      'kyverno',
      'metrics-server',
      'platform-mesh',
      'tenant-guardrails',
    ]);
    for (const r of releases) {
      expect(r.version).toMatch(/^\d+\.\d+\.\d+$/);
      if (['platform-mesh', 'tenant-guardrails'].includes(r.name)) expect(r.chart).toMatch(/^assets\//);
      else expect(Object.values(chartRepositories)).toContain(r.repository);
      expect(r).toMatchObject({ atomic: true, create_namespace: false, timeout: 900, max_history: 10 });
    }
  });

  test.each([
    ['aws-load-balancer-controller', 'aws-load-balancer-controller', 'kube-system', chartVersions.awsLoadBalancerController, chartRepositories.eks],
    ['istio-base', 'base', 'istio-system', chartVersions.istio, chartRepositories.istio],
    ['istio-cni', 'cni', 'kube-system', chartVersions.istio, chartRepositories.istio],
    ['istiod', 'istiod', 'istio-system', chartVersions.istio, chartRepositories.istio],
    ['istio-ingressgateway', 'gateway', 'istio-system', chartVersions.istio, chartRepositories.istio],
    ['metrics-server', 'metrics-server', 'kube-system', chartVersions.metricsServer, chartRepositories.metricsServer],
    ['kube-prometheus-stack', 'kube-prometheus-stack', 'monitoring', chartVersions.kubePrometheusStack, chartRepositories.prometheusCommunity],
    ['kiali', 'kiali-server', 'istio-system', chartVersions.kialiServer, chartRepositories.kiali],
    ['jaeger', 'jaeger', 'monitoring', chartVersions.jaeger, chartRepositories.jaeger],
  ])('%s: chart %s in %s at %s', (name, chart, namespace, version, repository) => {
    expect(release(name)).toMatchObject({ chart, namespace, version, repository });
  });

  describe('AWS Load Balancer Controller', () => {
    test('knows its cluster, region and VPC, runs two replicas and uses its IRSA role', () => {
      const v = values('aws-load-balancer-controller');
      expect(v).toMatchObject({
        clusterName: `\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.name}`,
        region: 'eu-west-1',
        vpcId: 'vpc-0123',
        replicaCount: 2,
      });
      expect(v.serviceAccount.name).toBe('aws-load-balancer-controller');
      expect(v.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\.[\w-]+\.arn\}$/);
    });

    test('serves only TargetGroupBindings: no Service webhook, IngressClass, WAF or Shield', () => {
      expect(values('aws-load-balancer-controller')).toMatchObject({
        enableServiceMutatorWebhook: false,
        createIngressClassResource: false,
        ingressClassParams: { create: false },
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
      });
    });

    test('its IRSA role is named by platformNames and trusts only its service account', () => {
      const role = json.where('aws_iam_role', (r) => r.name === names.lbControllerRole);
      expect(role).toHaveLength(1);
      expect(JSON.stringify(json.json)).toContain('system:serviceaccount:kube-system:aws-load-balancer-controller');
    });

    test('its policy registers targets in exactly the one target group, with no wildcard action', () => {
      const statements = loadBalancerControllerStatements(TARGET_GROUP_ARN).map((s) => ({ ...s, Action: [s.Action ?? []].flat() }));
      for (const s of statements) for (const action of s.Action) expect(action).not.toContain('*');
      const register = statements.filter((s) => s.Action.some((a) => /RegisterTargets|DeregisterTargets/.test(a)));
      expect(register).toEqual([
        {
          Sid: 'RegisterGatewayPods',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
          Resource: [TARGET_GROUP_ARN],
        },
      ]);
      for (const s of statements.filter((s) => [s.Resource].flat().includes('*'))) {
        for (const action of s.Action) expect(action).toMatch(/^(ec2|elasticloadbalancing):Describe[A-Za-z]+$/);
      }
      const synthesized = JSON.stringify(json.json);
      expect(synthesized).toContain(TARGET_GROUP_ARN);
      expect(synthesized).toContain('elasticloadbalancing:RegisterTargets');
      expect(synthesized).not.toMatch(/(ec2|elasticloadbalancing|iam|wafv2|shield):[A-Za-z]*\*/);
    });
  });

  describe('Istio', () => {
    test('istiod: strict egress (REGISTRY_ONLY), access logs, tracing to Jaeger over OTLP, two replicas at least, CNI', () => {
      const v = values('istiod');
      expect(v.meshConfig.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
      expect(v.meshConfig.accessLogFile).toBe('/dev/stdout');
      expect(v.meshConfig.enableTracing).toBe(true);
      expect(v.meshConfig.extensionProviders).toEqual([
        { name: 'jaeger', opentelemetry: { service: 'jaeger.monitoring.svc.cluster.local', port: 4317 } },
      ]);
      expect(v.meshConfig.defaultProviders).toEqual({ tracing: ['jaeger'] });
      expect(v).toMatchObject({ autoscaleEnabled: true, autoscaleMin: 2, cni: { enabled: true } });
    });

    test(
      'ingress gateway: pod labels tenants select on, ClusterIP service on the gateway port, 3-15 replicas at 60% CPU, a ' + 'disruption budget',
      () => {
        const v = values('istio-ingressgateway');
        expect(v.labels).toEqual(names.ingressGatewayLabels);
        expect(v.service.type).toBe('ClusterIP');
        expect(v.service.ports).toContainEqual({ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' });
        expect(v.service.ports).toContainEqual({ name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' });
        expect(v.autoscaling).toEqual({ enabled: true, minReplicas: 3, maxReplicas: 15, targetCPUUtilizationPercentage: 60 });
        expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
        expect(v.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(names.ingressGatewayLabels);
      },
    );
  });

  describe('kube-prometheus-stack', () => {
    const v = values('kube-prometheus-stack');

    test('selects rules and monitors from every release and namespace', () => {
      expect(v.prometheus.prometheusSpec).toMatchObject({
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
      });
    });

    test('Grafana loads labelled dashboards from all namespaces and generates its admin password', () => {
      expect(v.grafana.sidecar.dashboards).toEqual({ enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'monitoring' });
      expect(v.grafana).toHaveProperty('adminPassword', null);
    });

    test('Prometheus keeps data on a persistent volume with time and size retention', () => {
      expect(v.prometheus.prometheusSpec).toMatchObject({
        retention: '15d',
        retentionSize: '42GB',
        storageSpec: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } } },
      });
    });

    test('scrapes the Istio proxies and istiod', () => {
      expect(v.prometheus.additionalPodMonitors[0].podMetricsEndpoints).toEqual([
        { port: 'http-envoy-prom', path: '/stats/prometheus', interval: '15s' },
      ]);
      expect(v.prometheus.additionalServiceMonitors[0].namespaceSelector).toEqual({ matchNames: ['istio-system'] });
    });
  });

  test('Kiali: token login, view-only, Prometheus, Grafana and Jaeger in-cluster', () => {
    expect(values('kiali')).toEqual({
      auth: { strategy: 'token' },
      deployment: {
        view_only_mode: true,
        node_selector: { 'tenantctl.io/pool': 'system' },
        tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
        priority_class_name: 'tenantctl-platform',
      },
      external_services: {
        istio: { root_namespace: 'istio-system' },
        prometheus: { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090' },
        grafana: { enabled: true, internal_url: 'http://kube-prometheus-stack-grafana.monitoring.svc.cluster.local:80' },
        tracing: { enabled: true, provider: 'jaeger', internal_url: 'http://jaeger.monitoring.svc.cluster.local:16686', use_grpc: false },
      },
    });
  });

  test('Jaeger: fixed service name the mesh and Kiali point at', () => {
    expect(values('jaeger').fullnameOverride).toBe('jaeger');
  });

  test('metrics-server: two replicas with a disruption budget, cluster-critical on the system nodes', () => {
    expect(values('metrics-server')).toEqual({
      replicas: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'tenantctl.io/pool': 'system' },
      tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
    });
  });
});
