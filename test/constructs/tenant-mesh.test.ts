import { Testing, TerraformStack } from 'cdktf';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { TenantMesh } from '../../stacks/constructs/tenant/tenant-mesh';
import { platformSpec, SynthJson } from '../util';

const platform = platformSpec();
const tenant = resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'standard' }), platform, resolveTiers(), 'acme.json');
const PROXY_ENDPOINT = 'acme-prod-proxy.proxy-abc.eu-west-1.rds.amazonaws.com';

describe('TenantMesh', () => {
  // GIVEN a tenant's mesh objects, two of them ServiceEntries
  const stack = new TerraformStack(Testing.app(), 'test');
  const mesh = new TenantMesh(stack, 'mesh', { platform, tenant, namespace: tenant.names.namespace, proxyEndpoint: PROXY_ENDPOINT });
  const json = SynthJson.parse(Testing.synth(stack));

  test('exposes every manifest, each under its own construct id', () => {
    // THEN no object hides another of its kind
    expect(Object.keys(mesh.manifests).sort()).toEqual([
      'aws-sts',
      'deny-other-tenants',
      'destination-rule',
      'peer-authentication',
      'rate-limit',
      'rds-proxy',
      'virtual-service',
    ]);
    expect(Object.keys(mesh.manifests)).toHaveLength(Object.keys(json.resources('kubernetes_manifest')).length);
  });

  test('declares both external services: RDS Proxy and STS', () => {
    const entries = json
      .where('kubernetes_manifest', (m) => m.manifest.kind === 'ServiceEntry')
      .map((m) => [m.manifest.metadata.name, m.manifest.spec.hosts])
      .sort();
    expect(entries).toEqual([
      ['aws-sts', ['sts.eu-west-1.amazonaws.com']],
      ['rds-proxy', [PROXY_ENDPOINT]],
    ]);
  });
});
