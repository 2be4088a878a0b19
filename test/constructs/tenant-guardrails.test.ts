import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { validateManifest } from '../../src/manifests/schema';
import {
  meshCapturePolicy,
  quotaRequiredPolicy,
  TENANT_GUARDRAILS_CHART_DIR,
  TenantGuardrails,
} from '../../stacks/constructs/policy/tenant-guardrails';
import { SynthJson } from '../util';

describe('meshCapturePolicy', () => {
  const policy: any = meshCapturePolicy();
  const rule = (name: string) => policy.spec.rules.find((r: any) => r.name === name);
  const keys = (name: string) => rule(name).validate.deny.conditions.any.map((c: any) => c.key);

  test('is one ClusterPolicy valid against the Kyverno schema, on Pods only (autogen off)', () => {
    expect(policy).toMatchObject({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'tenant-mesh-capture' } });
    expect(policy.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toBe('none');
    expect(validateManifest(policy)).toBeUndefined();
  });

  test('enforces every rule on Pods of every namespace with the tenant label, whatever the number of tenants', () => {
    expect(policy.spec.rules.map((r: any) => r.name)).toEqual([
      'sidecar-injected',
      'proxy-not-customized',
      'not-as-proxy-identity',
      'full-traffic-capture',
    ]);
    for (const r of policy.spec.rules) {
      expect(r.match).toEqual({
        any: [
          {
            resources: {
              kinds: ['Pod'],
              operations: ['CREATE', 'UPDATE'],
              namespaceSelector: { matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }] },
            },
          },
        ],
      });
      expect(r.validate).toMatchObject({ failureAction: 'Enforce', allowExistingViolations: true });
    }
  });

  test("denies app containers running as the proxy's user or group (1337), whose traffic is never captured, at pod or container level", () => {
    expect(rule('not-as-proxy-identity').validate.deny.conditions.any).toEqual([
      { key: '{{ request.object.spec.securityContext.runAsUser || `0` }}', operator: 'Equals', value: 1337 },
      { key: '{{ request.object.spec.securityContext.runAsGroup || `0` }}', operator: 'Equals', value: 1337 },
      {
        key:
          "{{ length(request.object.spec.containers[?name != 'istio-proxy' && name != 'istio-validation' && name != 'istio-init' && " +
          '(securityContext.runAsUser == `1337` || securityContext.runAsGroup == `1337`)] || `[]`) }}',
        operator: 'GreaterThan',
        value: 0,
      },
      {
        key:
          "{{ length(request.object.spec.initContainers[?name != 'istio-proxy' && name != 'istio-validation' && name != 'istio-init' && " +
          '(securityContext.runAsUser == `1337` || securityContext.runAsGroup == `1337`)] || `[]`) }}',
        operator: 'GreaterThan',
        value: 0,
      },
    ]);
  });

  test('denies the injection opt-out (label or annotation) and any pod without the injected istio-proxy', () => {
    expect(rule('sidecar-injected').validate.deny.conditions.any).toEqual([
      { key: `{{ request.object.metadata.labels."sidecar.istio.io/inject" || 'true' }}`, operator: 'NotEquals', value: 'true' },
      { key: `{{ request.object.metadata.annotations."sidecar.istio.io/inject" || 'true' }}`, operator: 'NotEquals', value: 'true' },
      {
        key:
          "{{ add(length(request.object.spec.initContainers[?name=='istio-proxy'] || `[]`), " +
          "length(request.object.spec.containers[?name=='istio-proxy'] || `[]`)) }}",
        operator: 'Equals',
        value: 0,
      },
    ]);
  });

  test("denies another template, proxy config, image, bootstrap, volumes, and a pod's own istio-proxy (which Istio records as overrides)", () => {
    expect(keys('proxy-not-customized')).toEqual(
      [
        'inject.istio.io/templates',
        'proxy.istio.io/config',
        'proxy.istio.io/overrides',
        'sidecar.istio.io/proxyImage',
        'sidecar.istio.io/bootstrapOverride',
        'sidecar.istio.io/userVolume',
        'sidecar.istio.io/userVolumeMount',
      ].map((k) => `{{ request.object.metadata.annotations."${k}" || '' }}`),
    );
  });

  test("checks the injected pod's capture annotations against the mesh defaults, and allows no other", () => {
    const conditions = rule('full-traffic-capture').validate.deny.conditions.any;
    expect(conditions.slice(0, 4)).toEqual([
      {
        key: `{{ request.object.metadata.annotations."sidecar.istio.io/interceptionMode" || 'REDIRECT' }}`,
        operator: 'NotEquals',
        value: 'REDIRECT',
      },
      {
        key: `{{ request.object.metadata.annotations."traffic.sidecar.istio.io/includeOutboundIPRanges" || '*' }}`,
        operator: 'NotEquals',
        value: '*',
      },
      { key: `{{ request.object.metadata.annotations."traffic.sidecar.istio.io/includeInboundPorts" || '*' }}`, operator: 'NotEquals', value: '*' },
      {
        key: `{{ request.object.metadata.annotations."traffic.sidecar.istio.io/excludeInboundPorts" || '15020' }}`,
        operator: 'NotEquals',
        value: '15020',
      },
    ]);
    expect(conditions[4]).toEqual({
      key: "{{ keys(request.object.metadata.annotations || `{}`)[?starts_with(@, 'traffic.sidecar.istio.io/')] }}",
      operator: 'AnyNotIn',
      value: [
        'traffic.sidecar.istio.io/includeOutboundIPRanges',
        'traffic.sidecar.istio.io/includeInboundPorts',
        'traffic.sidecar.istio.io/excludeInboundPorts',
      ],
    });
    expect(conditions[5].key).toBe(`{{ request.object.metadata.annotations."istio.io/reroute-virtual-interfaces" || '' }}`);
  });
});

describe('quotaRequiredPolicy', () => {
  const policy: any = quotaRequiredPolicy('tenant-quota');
  const [rule] = policy.spec.rules;

  test('is valid against the Kyverno ClusterPolicy schema', () => {
    expect(validateManifest(policy)).toBeUndefined();
  });

  test('denies creating a Pod in any tenant namespace whose ResourceQuota tenant-quota is missing, read by Kyverno at admission', () => {
    expect(rule.match).toEqual({
      any: [
        {
          resources: {
            kinds: ['Pod'],
            operations: ['CREATE'],
            namespaceSelector: { matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }] },
          },
        },
      ],
    });
    expect(rule.context).toEqual([
      {
        name: 'quotas',
        apiCall: {
          method: 'GET',
          urlPath: '/api/v1/namespaces/{{ request.namespace }}/resourcequotas',
          jmesPath: "items[?metadata.name=='tenant-quota'] | length(@)",
        },
      },
    ]);
    expect(rule.validate).toMatchObject({
      failureAction: 'Enforce',
      deny: { conditions: { any: [{ key: '{{ quotas }}', operator: 'Equals', value: 0 }] } },
    });
    expect(policy.spec.background).toBe(false);
  });
});

describe('TenantGuardrails', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new HelmProvider(stack, 'helm', {});
  new TenantGuardrails(stack, 'guardrails', { namespace: 'kyverno', quotaName: 'tenant-quota' });
  const release = SynthJson.parse(Testing.synth(stack)).one('helm_release');

  test('installs the local chart with the policies as values, in the Kyverno namespace', () => {
    expect(release).toMatchObject({ name: 'tenant-guardrails', version: '1.0.0', namespace: 'kyverno', atomic: true });
    expect(release.chart).toMatch(/^assets\//);
    expect(JSON.parse(release.values[0])).toEqual({ clusterPolicies: [meshCapturePolicy(), quotaRequiredPolicy('tenant-quota')] });
  });

  test("renders each policy as it is, so Helm leaves Kyverno's {{ }} expressions alone", () => {
    const template = fs.readFileSync(path.join(TENANT_GUARDRAILS_CHART_DIR, 'templates', 'cluster-policies.yaml'), 'utf8');
    expect(template).toBe('{{- range .Values.clusterPolicies }}\n---\n{{ toJson . }}\n{{- end }}\n');
  });
});
