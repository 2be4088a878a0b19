import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { TerraformStack, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { platformNames } from '../../src/config/names';
import { deepMerge } from '../../src/config/tiers';
import { MESH_CHART_DIR, MeshPolicies } from '../../stacks/constructs/mesh/mesh-policies';
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
 * Renders a chart template the way Helm does for the subset the chart allows: `{{ .Values.a.b }}`,
 * `{{- if .Values.x }}`, `{{- else }}`, `{{- end }}` (`{{-` trims the whitespace before it).
 * Anything else fails, so the chart cannot silently outgrow this renderer.
 */
function render(template: string, values: Record<string, unknown>): string {
  const source = template.replace(/\s*\{\{-/g, '{{');
  const lookup = (p: string) => p.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
  const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === '' || v === 0 || (typeof v === 'object' && Object.keys(v as object).length === 0));
  const blocks: { active: boolean; taken: boolean }[] = [];
  const active = () => blocks.every((b) => b.active);
  let out = '';
  let last = 0;
  for (const m of source.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) {
    if (active()) out += source.slice(last, m.index);
    last = m.index! + m[0].length;
    const expr = m[1];
    let match: RegExpExecArray | null;
    if ((match = /^if \.Values\.([\w.]+)$/.exec(expr))) {
      const cond = truthy(lookup(match[1]));
      blocks.push({ active: cond, taken: cond });
    } else if (expr === 'else') {
      const block = blocks[blocks.length - 1];
      if (!block) throw new Error('else without if');
      block.active = !block.taken;
      block.taken = true;
    } else if (expr === 'end') {
      if (!blocks.pop()) throw new Error('end without if');
    } else if ((match = /^\.Values\.([\w.]+)$/.exec(expr))) {
      if (!active()) continue;
      const value = lookup(match[1]);
      if (value === undefined || value === null || typeof value === 'object') throw new Error(`.Values.${match[1]} is not a scalar value`);
      out += String(value);
    } else {
      throw new Error(`unsupported template expression {{ ${expr} }}`);
    }
  }
  if (blocks.length) throw new Error('if without end');
  return out + source.slice(last);
}

const templateFiles = fs.readdirSync(path.join(MESH_CHART_DIR, 'templates')).filter((f) => f.endsWith('.yaml')).sort();
const chartDefaults = parse(fs.readFileSync(path.join(MESH_CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;

/** All objects the chart renders with the values Terraform passes (merged over the chart's defaults, as Helm does). */
function renderChart(release: any): any[] {
  const passed = JSON.parse(release.values[0]);
  const values = deepMerge(chartDefaults, passed) as Record<string, unknown>;
  return templateFiles.flatMap((file) => {
    const text = render(fs.readFileSync(path.join(MESH_CHART_DIR, 'templates', file), 'utf8'), values);
    return parseAllDocuments(text).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS();
    });
  });
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
    for (const file of templateFiles) {
      const text = fs.readFileSync(path.join(MESH_CHART_DIR, 'templates', file), 'utf8');
      for (const m of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
        expect(m[1]).toMatch(/^(\.Values\.[\w.]+|if \.Values\.[\w.]+|else|end)$/);
      }
    }
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
    expect(fs.readdirSync(path.join(copied, 'templates')).sort()).toEqual(templateFiles);
  });

  test('passes the target group, gateway and namespaces as values', () => {
    expect(JSON.parse(release.values[0])).toEqual({
      meshRootNamespace: 'istio-system',
      domain: '',
      // No domain, so no listener forwards to the target group: nothing binds to it.
      targetGroupArn: '',
      sharedServicesNamespace: 'shared-services',
      tracingHost: TRACING_HOST,
      gateway: { name: 'tenant-gateway', namespace: 'istio-system', service: 'istio-ingressgateway', port: 8080, selector: names.ingressGatewayLabels },
    });
  });

  describe('rendered objects', () => {
    const objects = renderChart(release);

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
    const gw = byKind(renderChart(withDomain), 'Gateway');
    validateIstio(gw, Gateway, 'networking.istio.io');
    expect(gw.spec.servers[0].hosts).toEqual(['*.saas.example.com']);
  });

  test('with a domain, the HTTPS listener forwards to the target group and a TargetGroupBinding registers the gateway pod IPs in it', () => {
    const withDomain = synthMesh('saas.example.com').json.one('helm_release');
    expect(JSON.parse(withDomain.values[0]).targetGroupArn).toBe(TARGET_GROUP_ARN);
    const objects = renderChart(withDomain);
    expect(byKind(objects, 'TargetGroupBinding')).toEqual({
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
      spec: { serviceRef: { name: 'istio-ingressgateway', port: 8080 }, targetGroupARN: TARGET_GROUP_ARN, targetType: 'ip' },
    });
    expect(objects.map((o) => o.kind).sort()).toEqual(['Gateway', 'PeerAuthentication', 'Sidecar', 'TargetGroupBinding']);
  });
});
