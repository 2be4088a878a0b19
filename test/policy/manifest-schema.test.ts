import { baseline, findingsOf, triples } from './fixtures';

const VS = 'kubernetes_manifest.mesh_virtual-service_C70A7B50';

describe('TC-SCH-001 manifests match their schema', () => {
  test('GIVEN valid Istio objects THEN it passes', () => {
    const b = baseline();
    expect(findingsOf([b.acme])).toEqual([]);
  });

  test('GIVEN a VirtualService whose http is not a list THEN it is an error naming the manifest', () => {
    const b = baseline();
    b.acme.json.resource.kubernetes_manifest['mesh_virtual-service_C70A7B50'].manifest.spec.http = 'tenant';
    const findings = findingsOf([b.acme]);
    expect(triples(findings)).toEqual([['TC-SCH-001', 'tenant-acme', VS]]);
    expect(findings[0].severity).toBe('error');
    expect(findings[0].message).toContain('spec.http');
  });

  test('GIVEN a kind without a packaged schema THEN it is a warning', () => {
    const b = baseline();
    b.acme.json.resource.kubernetes_manifest.policy = {
      manifest: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'p', namespace: 'tenant-acme' }, spec: {} },
    };
    const findings = findingsOf([b.acme]);
    expect(triples(findings)).toEqual([['TC-SCH-001', 'tenant-acme', 'kubernetes_manifest.policy']]);
    expect(findings[0].severity).toBe('warning');
  });
});
