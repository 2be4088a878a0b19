import { ConfigError } from '../../src/model/errors';
import { tenantNames } from '../../src/model/names';
import { resolveTenant } from '../../src/model/project';
import { tenantIdProblem, tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers, tierCatalog } from '../../src/model/tiers';
import { platformSpec } from '../util';

describe('tenant ids', () => {
  it.each(['acme', 'acme-corp', 'a1', 'x'.repeat(24)])('accepts %s', (id) => expect(tenantIdProblem(id)).toBeUndefined());
  it.each([
    ['', /empty/],
    ['Acme', /lowercase DNS label/],
    ['1acme', /lowercase DNS label/],
    ['acme-', /lowercase DNS label/],
    ['ac_me', /lowercase DNS label/],
    ['ac--me', /single hyphens/],
    ['x'.repeat(25), /at most 24/],
    ['default', /reserved/],
    ['istio-system', /reserved/],
    ['kube-anything', /reserved/],
  ])('rejects %j', (id, message) => expect(tenantIdProblem(id)).toMatch(message));

  it('keeps every derived name within its service limit at the maximum lengths', () => {
    const platform = platformSpec({ name: 'a'.repeat(12), environment: 'b'.repeat(7) });
    const names = tenantNames(platform, 'c'.repeat(24));
    expect(names.namespace.length).toBeLessThanOrEqual(63);
    expect(names.dbRole.length).toBeLessThanOrEqual(63);
    expect(names.iamRole.length).toBeLessThanOrEqual(64);
  });

  it('maps hyphens to underscores for database identifiers', () => {
    expect(tenantNames(platformSpec(), 'acme-corp')).toMatchObject({
      dbRole: 'tenant_acme_corp',
      dbSchema: 'tenant_acme_corp',
      namespace: 'tenant-acme-corp',
    });
  });
});

describe('tier catalog', () => {
  it('has the product defaults', () => {
    expect(tierCatalog.starter.quota).toMatchObject({ cpu: '1', memory: '2Gi', pods: 10 });
    expect(tierCatalog.standard.quota).toMatchObject({ cpu: '4', memory: '8Gi', pods: 25 });
    expect(tierCatalog.enterprise.quota).toMatchObject({ cpu: '16', memory: '32Gi', pods: 100 });
    expect([tierCatalog.starter, tierCatalog.standard, tierCatalog.enterprise].map((t) => t.requestsPerSecond)).toEqual([100, 1000, 10000]);
    expect(tierCatalog.enterprise.nodes.isolation).toBe('dedicated');
    expect(tierCatalog.starter.nodes.isolation).toBe('shared');
  });

  it('merges platform.json overrides and accepts new tiers', () => {
    const tiers = resolveTiers({
      starter: { quota: { cpu: '2', cpuLimit: '3', memoryLimit: '6Gi', pods: 15 } },
      premium: { ...tierCatalog.standard, requestsPerSecond: 5000 },
    });
    expect(tiers.starter.quota).toMatchObject({ cpu: '2', memory: '2Gi', pods: 15 });
    expect(tiers.premium.requestsPerSecond).toBe(5000);
  });

  it('rejects an override that makes a tier invalid', () => {
    expect(() => resolveTiers({ starter: { quota: { cpu: 'lots' } } })).toThrow(/Kubernetes quantity/);
  });

  it('rejects an override whose quota cannot admit the pods it promises, naming the budget to raise', () => {
    expect(() => resolveTiers({ starter: { quota: { pods: 15 } } })).toThrow(
      'quota.cpuLimit 2 admits 10 default pods of 200m limits.cpu (app container 150m + sidecar 50m), fewer than quota.pods 15: raise ' +
        'quota.cpuLimit to 3, or lower quota.pods or the default sizes',
    );
  });
});

describe('resolveTenant', () => {
  const platform = platformSpec();
  const tiers = resolveTiers();
  const file = (raw: object) => tenantSchema.parse({ version: 1, id: 'acme', tier: 'standard', ...raw });

  it('applies per-tenant overrides over the tier', () => {
    const t = resolveTenant(file({ overrides: { tier: { quota: { cpu: '6' } } } }), platform, tiers, 'tenants/acme.json');
    expect(t.tierSpec.quota).toMatchObject({ cpu: '6', memory: '8Gi' });
    expect(t.accountId).toBe('111122223333');
  });

  it('reports every problem with its field', () => {
    let error: ConfigError | undefined;
    try {
      resolveTenant(file({ tier: 'gold', serviceAccount: 'payments' }), platform, tiers, 'tenants/other.json', 'other');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues.map((i) => i.field)).toEqual(['id', 'tier', 'serviceAccount']);
    expect(error!.message).toMatch(/tenants\/other\.json is invalid/);
  });

  it("refuses per-tenant database limits: provisioning applies the tier's, from the platform SQL", () => {
    expect(() => resolveTenant(file({ overrides: { tier: { database: { connectionLimit: 500 } } } }), platform, tiers, 'tenants/acme.json')).toThrow(
      ConfigError,
    );
    try {
      resolveTenant(file({ overrides: { tier: { database: { connectionLimit: 500 } } } }), platform, tiers, 'tenants/acme.json');
    } catch (e) {
      expect((e as ConfigError).issues).toEqual([
        { field: 'overrides.tier.database', message: 'database limits are set per tier: define a tier with them under tiers in platform.json' },
      ]);
    }
  });

  it('resolves the service account a tenant lives in', () => {
    const withAccounts = platformSpec({
      aws: {
        region: 'eu-west-1',
        accountId: '111122223333',
        serviceAccounts: [{ name: 'payments', accountId: '444455556666', purpose: 'payments service' }],
      },
    });
    const t = resolveTenant(file({ serviceAccount: 'payments' }), withAccounts, tiers, 'tenants/acme.json');
    expect(t).toMatchObject({ accountId: '444455556666', accountName: 'payments' });
  });
});
