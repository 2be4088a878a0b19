import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { TerraformStack, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { platformNames } from '../../src/model/names';
import { MESH_CHART_DIR, MeshPolicies } from '../../stacks/constructs/mesh/mesh-policies';
import { ALLOWED_EXPRESSION, renderChart, templateExpressions, templateFiles } from '../chart-render';
import { SynthJson, platformSpec } from '../util';

const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/acme-prod-istio/0123456789abcdef';
const TRACING_HOST = 'monitoring/jaeger.monitoring.svc.cluster.local';

function synthMesh(domain?: string): { json: SynthJson; outdir: string } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new HelmProvider(stack, 'helm', {});
  new MeshPolicies(stack, 'mesh', {
    platform: platformSpec(domain ? { domain } : {}),
    targetGroupArn: TARGET_GROUP_ARN,
    gatewayPort: 8080,
    tracingHost: TRACING_HOST,
  });
  const outdir = Testing.fullSynth(stack);
  const json = SynthJson.parse(fs.readFileSync(path.join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8'));
  return { json, outdir };
}

/**
 * Validates an Istio object with @kubernetes-models/istio, whose newest schemas are v1beta1: the
 * chart uses the v1 API, which Istio serves from the same schema as v1beta1.
 */
function validateIstio(obj: any, Model: new (data: any) => { validate(): void }, group: string) {
  expect(obj.apiVersion).toBe(`${group}/v1`);
  new Model({ ...obj, apiVersion: `${group}/v1beta1` }).validate();
}

const byKind = (objs: any[], kind: string) => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('platform-mesh chart', () => {
  const chart = parse(fs.readFileSync(path.join(MESH_CHART_DIR, 'Chart.yaml'), 'utf8'));

  test('is pinned to an exact version', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('platform-mesh');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('templates use only plain value substitutions and if blocks', () => {
    for (const expression of templateExpressions(MESH_CHART_DIR)) expect(expression).toMatch(ALLOWED_EXPRESSION);
  });
});

describe('MeshPolicies', () => {
  const names = platformNames(platformSpec());
  const { json, outdir } = synthMesh();
  const release = json.one('helm_release');

  test('installs the local chart shipped as an asset with the synthesized stack', () => {
    expect(release.chart).toMatch(/^assets\//);
    expect(release.repository).toBeUndefined();
    expect(release.version).toBe(parse(fs.readFileSync(path.join(MESH_CHART_DIR, 'Chart.yaml'), 'utf8')).version);
    expect(release.name).toBe('platform-mesh');
    expect(release.namespace).toBe(names.namespaces.istio);
    const copied = path.join(outdir, 'stacks', 'test', release.chart);
    expect(fs.readFileSync(path.join(copied, 'Chart.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(MESH_CHART_DIR, 'Chart.yaml'), 'utf8'));
    expect(fs.readdirSync(path.join(copied, 'templates')).sort()).toEqual(templateFiles(MESH_CHART_DIR));
  });

  test('passes the target group, gateway and namespaces as values', () => {
    expect(JSON.parse(release.values[0])).toEqual({
      meshRootNamespace: 'istio-system',
      domain: '',
      // No domain, so no listener forwards to the target group: nothing binds to it.
      targetGroupArn: '',
      sharedServicesNamespace: 'shared-services',
      tracingHost: TRACING_HOST,
      gateway: {
        name: 'tenant-gateway',
        namespace: 'istio-system',
        service: 'istio-ingressgateway',
        port: 8080,
        selector: names.ingressGatewayLabels,
      },
    });
  });

  describe('rendered objects', () => {
    const objects = renderChart(MESH_CHART_DIR, release);

    test('mesh-wide strict mTLS: PeerAuthentication default in the root namespace, no selector', () => {
      const pa = byKind(objects, 'PeerAuthentication');
      validateIstio(pa, PeerAuthentication, 'security.istio.io');
      expect(pa.metadata).toEqual({ name: 'default', namespace: 'istio-system' });
      expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
    });

    test('the tenant Gateway serves HTTP on the gateway port for any host without a domain', () => {
      const gw = byKind(objects, 'Gateway');
      validateIstio(gw, Gateway, 'networking.istio.io');
      expect(`${gw.metadata.namespace}/${gw.metadata.name}`).toBe(names.gateway);
      expect(gw.spec.selector).toEqual(names.ingressGatewayLabels);
      expect(gw.spec.servers).toEqual([{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }]);
    });

    test('the default Sidecar limits egress to the own namespace, the root namespace, shared services and the trace collector', () => {
      const sidecar = byKind(objects, 'Sidecar');
      validateIstio(sidecar, Sidecar, 'networking.istio.io');
      expect(sidecar.metadata).toEqual({ name: 'default', namespace: 'istio-system' });
      expect(sidecar.spec.workloadSelector).toBeUndefined();
      expect(sidecar.spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'shared-services/*', TRACING_HOST] }]);
      expect(sidecar.spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    });

    test('renders no TargetGroupBinding: its targets would stay unused and gateway pods never pass the readiness gate', () => {
      expect(objects.map((o) => o.kind).sort()).toEqual(['Gateway', 'PeerAuthentication', 'Sidecar']);
    });
  });

  test('with a domain, the Gateway accepts only subdomains of it', () => {
    const withDomain = synthMesh('saas.example.com').json.one('helm_release');
    expect(JSON.parse(withDomain.values[0]).domain).toBe('saas.example.com');
    const gw = byKind(renderChart(MESH_CHART_DIR, withDomain), 'Gateway');
    validateIstio(gw, Gateway, 'networking.istio.io');
    expect(gw.spec.servers[0].hosts).toEqual(['*.saas.example.com']);
  });

  test('with a domain, the HTTPS listener forwards to the target group and a TargetGroupBinding registers the gateway pod IPs in it', () => {
    const withDomain = synthMesh('saas.example.com').json.one('helm_release');
    expect(JSON.parse(withDomain.values[0]).targetGroupArn).toBe(TARGET_GROUP_ARN);
    const objects = renderChart(MESH_CHART_DIR, withDomain);
    expect(byKind(objects, 'TargetGroupBinding')).toEqual({
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
      spec: { serviceRef: { name: 'istio-ingressgateway', port: 8080 }, targetGroupARN: TARGET_GROUP_ARN, targetType: 'ip' },
    });
    expect(objects.map((o) => o.kind).sort()).toEqual(['Gateway', 'PeerAuthentication', 'Sidecar', 'TargetGroupBinding']);
  });
});
