import { isKnownKind, validateManifest } from '../../src/manifests/schema';

const meta = { name: 'example', namespace: 'tenant-acme' };

describe('isKnownKind', () => {
  test.each([
    ['v1', 'Namespace'],
    ['v1', 'ConfigMap'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['rbac.authorization.k8s.io/v1', 'Role'],
    ['security.istio.io/v1', 'AuthorizationPolicy'],
    ['networking.istio.io/v1beta1', 'VirtualService'],
    ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
  ])('GIVEN a modelled kind (%s %s) THEN it is known', (apiVersion, kind) => {
    expect(isKnownKind(apiVersion, kind)).toBe(true);
  });

  test('GIVEN a Prometheus Operator kind THEN it is validated with its model', () => {
    expect(isKnownKind('monitoring.coreos.com/v1', 'PrometheusRule')).toBe(true);
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }] }] },
    };
    expect(validateManifest(rule)).toBeUndefined();
    expect(validateManifest({ ...rule, spec: { groups: [{ rules: [] }] } })?.message).toMatch(/name/);
  });

  test('GIVEN Istio v1 APIs with the schema of v1beta1 THEN they are known through it', () => {
    expect(isKnownKind('security.istio.io/v1', 'PeerAuthentication')).toBe(true);
    expect(isKnownKind('networking.istio.io/v1', 'Gateway')).toBe(true);
    expect(isKnownKind('networking.istio.io/v1', 'Sidecar')).toBe(true);
  });

  test('GIVEN Kyverno policies THEN they are known through @kubernetes-models/kyverno', () => {
    expect(isKnownKind('kyverno.io/v1', 'Policy')).toBe(true);
    expect(isKnownKind('kyverno.io/v1', 'ClusterPolicy')).toBe(true);
  });

  test.each([
    ['example.com/v1', 'Widget'], // a group no model package covers
    ['kyverno.io/v1', 'Widget'], // a kind the package does not have
    ['v1', 'Affinity'], // a nested type, not a top-level kind
    ['networking.k8s.io/v1', 'Pod'], // a kind of another group
    ['v1', 'Pod/../../x'],
    ['../../etc/v1', 'Pod'],
    ['a/b/v1', 'Pod'],
  ])('GIVEN %s %s THEN it is unknown', (apiVersion, kind) => {
    expect(isKnownKind(apiVersion, kind)).toBe(false);
  });
});

describe('validateManifest: valid objects', () => {
  test.each<[string, Record<string, unknown>]>([
    [
      'NetworkPolicy',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta,
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] },
      },
    ],
    [
      'AuthorizationPolicy',
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: meta,
        spec: { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['tenant-acme'] } }] }] },
      },
    ],
    ['PeerAuthentication v1', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta, spec: { mtls: { mode: 'STRICT' } } }],
    [
      'DestinationRule',
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'DestinationRule',
        metadata: meta,
        spec: {
          host: '*.tenant-acme.svc.cluster.local',
          trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { maxConnections: 10 } } },
        },
      },
    ],
    [
      'a Terraform reference where a string goes',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: '${kubernetes_namespace_v1.ns.metadata[0].name}' }, data: { a: 'b' } },
    ],
  ])('GIVEN a valid %s THEN there is no problem', (_, obj) => {
    expect(validateManifest(obj)).toBeUndefined();
  });
});

describe('validateManifest: invalid objects', () => {
  test('GIVEN an AuthorizationPolicy with action DENYY THEN the problem names the field and the allowed values', () => {
    const problem = validateManifest({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta, spec: { action: 'DENYY' } });
    expect(problem).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      name: 'example',
      message: 'spec.action must be equal to one of the allowed values (ALLOW, DENY, AUDIT, CUSTOM)',
    });
  });

  test('GIVEN a NetworkPolicy whose port is neither a number nor a name THEN the problem names the port', () => {
    const problem = validateManifest({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: { podSelector: {}, ingress: [{ ports: [{ port: { number: 80 } }] }] },
    });
    expect(problem?.kind).toBe('NetworkPolicy');
    expect(problem?.message).toContain('spec.ingress.0.ports.0.port must be string');
    expect(problem?.message).toContain('spec.ingress.0.ports.0.port must be integer');
  });

  test('GIVEN a NetworkPolicy without its required podSelector THEN it is reported', () => {
    const problem = validateManifest({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: { policyTypes: ['Ingress'] },
    });
    expect(problem?.message).toMatch(/spec must have required property '?podSelector'?/);
  });

  test('GIVEN a v1 PeerAuthentication with an unknown mTLS mode THEN it is checked against the v1beta1 schema', () => {
    const problem = validateManifest({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: meta,
      spec: { mtls: { mode: 'STRICTT' } },
    });
    expect(problem).toMatchObject({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' });
    expect(problem?.message).toContain('spec.mtls.mode must be equal to one of the allowed values');
  });

  test('GIVEN an EnvoyFilter patch with an unknown context THEN it is reported', () => {
    const problem = validateManifest({
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: meta,
      spec: { configPatches: [{ applyTo: 'HTTP_FILTER', match: { context: 'SIDECAR_INBOUNDD' }, patch: { operation: 'INSERT_BEFORE', value: {} } }] },
    });
    expect(problem?.message).toContain('spec.configPatches.0.match.context must be equal to one of the allowed values');
  });

  test('GIVEN an object without a name THEN it is reported', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })?.message).toBe('metadata.name is required');
  });

  test('GIVEN a kind without a schema THEN the problem says so', () => {
    const problem = validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta, spec: {} });
    expect(problem).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'example' });
    expect(problem?.message).toMatch(/has no schema/);
  });

  test('GIVEN a Kyverno policy with a bad failure action THEN the schema names the field and the allowed values', () => {
    const policy = { apiVersion: 'kyverno.io/v1', kind: 'Policy', metadata: meta, spec: { validationFailureAction: 'Block', rules: [] } };
    expect(validateManifest(policy)?.message).toBe(
      'spec.validationFailureAction must be equal to one of the allowed values (audit, enforce, Audit, Enforce)',
    );
    expect(validateManifest({ ...policy, spec: { validationFailureAction: 'Enforce', rules: [] } })).toBeUndefined();
  });

  test('GIVEN an object without apiVersion or kind THEN it is reported', () => {
    expect(validateManifest({ metadata: meta })?.message).toBe('apiVersion and kind must be non-empty strings');
  });
});
