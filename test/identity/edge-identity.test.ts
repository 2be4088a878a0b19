import { Testing } from 'cdktf';
import { ConfigError } from '../../src/model/errors';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type TenantSpec } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers, tierCatalog } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { PlatformStack } from '../../stacks/platform-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec, SynthJson } from '../util';

/** Every identity mode: enterprise its own pool and starter the pooled one (the stock tiers'), standard none. */
const IDENTITY_TIERS = { standard: { identity: 'none' } };
/** No tier signs users in to the pooled pool. */
const NO_POOLED_TIER = { standard: { identity: 'none' }, starter: { identity: 'none' } };
const ISSUER_PREFIX = 'https://cognito-idp.eu-west-1.amazonaws.com/';

function synth(overrides: Partial<PlatformConfig> = {}) {
  const platform = platformSpec({ tiers: IDENTITY_TIERS, domain: 'example.com', ...overrides } as Partial<PlatformConfig>);
  const tiers = resolveTiers(platform.tiers);
  const tenant = (config: Omit<TenantConfig, 'version'>): TenantSpec =>
    resolveTenant(tenantSchema.parse({ version: 1, ...config }), platform, tiers, `${config.id}.json`);
  const tenantJson = (t: TenantSpec) => SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: t })));
  return { platform, tiers, tenant, tenantJson, platformJson: () => SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform }))) };
}

const manifestsOf = (json: SynthJson, kind: string) => json.where('kubernetes_manifest', (m) => m.manifest.kind === kind).map((m) => m.manifest);
const identityObjects = (json: SynthJson) => ({
  requestAuthentication: manifestsOf(json, 'RequestAuthentication'),
  allow: manifestsOf(json, 'AuthorizationPolicy').filter((p) => p.spec.action === 'ALLOW'),
});
const nsRef = (json: SynthJson) => `\${kubernetes_namespace_v1.${json.idOf('kubernetes_namespace_v1')}.metadata[0].name}`;

describe('GIVEN tiers with pooled and dedicated identity', () => {
  const s = synth();

  describe('WHEN the platform stack is synthesized', () => {
    const json = s.platformJson();

    test('THEN it holds one pooled user pool with the secure defaults, and one public SRP client for every pooled tenant', () => {
      const { '//': _, ...pool } = json.one('aws_cognito_user_pool');
      expect(pool).toEqual({
        name: 'acme-prod-tenant-users',
        deletion_protection: 'ACTIVE',
        user_pool_tier: 'ESSENTIALS',
        mfa_configuration: 'ON',
        software_token_mfa_configuration: { enabled: true },
        username_attributes: ['email'],
        username_configuration: { case_sensitive: false },
        auto_verified_attributes: ['email'],
        user_attribute_update_settings: { attributes_require_verification_before_update: ['email'] },
        admin_create_user_config: { allow_admin_create_user_only: true },
        account_recovery_setting: { recovery_mechanism: [{ name: 'verified_email', priority: 1 }] },
        password_policy: {
          minimum_length: 14,
          require_lowercase: true,
          require_uppercase: true,
          require_numbers: true,
          require_symbols: true,
          temporary_password_validity_days: 3,
          password_history_size: 24,
        },
        schema: [
          {
            name: 'tenant_id',
            attribute_data_type: 'String',
            mutable: false,
            required: false,
            string_attribute_constraints: { min_length: '1', max_length: '24' },
          },
        ],
        tags: { Name: 'acme-prod-tenant-users' },
      });
      const { '//': __, ...client } = json.one('aws_cognito_user_pool_client');
      expect(client).toEqual({
        name: 'acme-prod-tenant-users',
        user_pool_id: `\${aws_cognito_user_pool.${json.idOf('aws_cognito_user_pool')}.id}`,
        generate_secret: false,
        explicit_auth_flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        allowed_oauth_flows_user_pool_client: false,
        prevent_user_existence_errors: 'ENABLED',
        enable_token_revocation: true,
        id_token_validity: 15,
        access_token_validity: 15,
        refresh_token_validity: 12,
        token_validity_units: [{ id_token: 'minutes', access_token: 'minutes', refresh_token: 'hours' }],
        read_attributes: ['email', 'email_verified', 'custom:tenant_id'],
        // The tenant attribute is not writable by any app client: only the admin API sets it.
        write_attributes: ['email'],
      });
      expect(json.resources('aws_cognito_user_pool_domain')).toEqual({});
    });

    test("THEN it publishes the pooled pool's id in a tagged String SSM parameter, which pooled tenant stacks read", () => {
      const { '//': _, ...parameter } = json.one('aws_ssm_parameter');
      expect(parameter).toEqual({
        name: '/acme-prod/identity/pooled-user-pool-id',
        type: 'String',
        value: `\${aws_cognito_user_pool.${json.idOf('aws_cognito_user_pool')}.id}`,
        description: "Id of the user pool acme-prod-tenant-users, which pooled tenants' gateways trust",
        tags: { Name: '/acme-prod/identity/pooled-user-pool-id' },
      });
    });
  });

  describe('WHEN an enterprise (dedicated identity) tenant is synthesized', () => {
    const json = s.tenantJson(s.tenant({ id: 'globex', tier: 'enterprise' }));
    const pool = `\${aws_cognito_user_pool.${json.idOf('aws_cognito_user_pool')}.id}`;
    const issuer = `${ISSUER_PREFIX}${pool}`;

    test('THEN it creates its own pool with threat protection enforced, and no lookup of the pooled one', () => {
      expect(json.one('aws_cognito_user_pool')).toEqual(
        expect.objectContaining({
          name: 'acme-prod-tenant-globex',
          user_pool_tier: 'PLUS',
          user_pool_add_ons: { advanced_security_mode: 'ENFORCED' },
          deletion_protection: 'ACTIVE',
          mfa_configuration: 'ON',
        }),
      );
      expect(json.one('aws_cognito_user_pool_client')).toEqual(
        expect.objectContaining({ name: 'tenant-globex', user_pool_id: pool, generate_secret: false, allowed_oauth_flows_user_pool_client: false }),
      );
      expect(json.data('aws_ssm_parameter')).toEqual({});
    });

    test("THEN its namespace checks its own pool's ID tokens and passes the verified tenant claim on", () => {
      const { requestAuthentication, allow } = identityObjects(json);
      expect(requestAuthentication).toEqual([
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'RequestAuthentication',
          metadata: {
            name: 'tenant-identity',
            namespace: nsRef(json),
            labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': 'globex' },
          },
          spec: {
            jwtRules: [
              {
                issuer,
                jwksUri: `${issuer}/.well-known/jwks.json`,
                forwardOriginalToken: true,
                outputClaimToHeaders: [{ header: 'x-tenant-id', claim: 'custom:tenant_id' }],
              },
            ],
          },
        },
      ]);
      expect(allow.map((p) => p.spec)).toEqual([
        {
          action: 'ALLOW',
          rules: [
            { from: [{ source: { namespaces: ['tenant-globex', 'shared-services'] } }] },
            {
              from: [{ source: { namespaces: ['istio-system'], requestPrincipals: [`${issuer}/*`] } }],
              when: [{ key: 'request.auth.claims[custom:tenant_id]', values: ['globex'] }],
            },
          ],
        },
      ]);
      for (const m of [...requestAuthentication, ...allow]) expect(validateManifest(m)).toBeUndefined();
    });

    test('THEN the gateway removes x-tenant-id from what clients send on its route', () => {
      const [vs] = manifestsOf(json, 'VirtualService');
      expect(vs.spec.http).toEqual([
        {
          name: 'tenant',
          route: [
            {
              destination: { host: 'gateway.tenant-globex.svc.cluster.local', port: { number: 8080 } },
              headers: { request: { remove: ['x-tenant-id'] } },
            },
          ],
        },
      ]);
      expect(validateManifest(vs)).toBeUndefined();
    });
  });

  describe('WHEN a starter (pooled identity) tenant is synthesized', () => {
    const json = s.tenantJson(s.tenant({ id: 'beta', tier: 'starter' }));
    const parameterId = Object.keys(json.data('aws_ssm_parameter'))[0];
    const poolId = `\${data.aws_ssm_parameter.${parameterId}.insecure_value}`;

    test("THEN it reads the pooled pool's id from the platform's SSM parameter (never the pool by name), and creates no Cognito resource", () => {
      expect(json.data('aws_ssm_parameter')).toEqual({ [parameterId]: { name: '/acme-prod/identity/pooled-user-pool-id' } });
      expect(json.data('aws_cognito_user_pools')).toEqual({});
      expect(json.resources('aws_cognito_user_pool')).toEqual({});
      expect(json.resources('aws_cognito_user_pool_client')).toEqual({});
    });

    test('THEN it admits the pooled pool only with its own tenant claim', () => {
      const { requestAuthentication, allow } = identityObjects(json);
      const issuer = `${ISSUER_PREFIX}${poolId}`;
      expect(requestAuthentication.map((r) => r.spec.jwtRules)).toEqual([
        [
          {
            issuer,
            jwksUri: `${issuer}/.well-known/jwks.json`,
            forwardOriginalToken: true,
            outputClaimToHeaders: [{ header: 'x-tenant-id', claim: 'custom:tenant_id' }],
          },
        ],
      ]);
      expect(allow.map((p) => p.spec.rules[1])).toEqual([
        {
          from: [{ source: { namespaces: ['istio-system'], requestPrincipals: [`${issuer}/*`] } }],
          when: [{ key: 'request.auth.claims[custom:tenant_id]', values: ['beta'] }],
        },
      ]);
    });
  });

  describe('WHEN a standard (no identity) tenant is synthesized', () => {
    const json = s.tenantJson(s.tenant({ id: 'gamma', tier: 'standard' }));

    test("THEN nothing of identity is there, and its route still drops a client's x-tenant-id", () => {
      expect(identityObjects(json)).toEqual({ requestAuthentication: [], allow: [] });
      expect(json.resources('aws_cognito_user_pool')).toEqual({});
      expect(json.data('aws_ssm_parameter')).toEqual({});
      expect(manifestsOf(json, 'VirtualService')[0].spec.http).toEqual([
        {
          name: 'tenant',
          // A client's x-tenant-id never reaches the tenant's services, with identity or without.
          route: [
            {
              destination: { host: 'gateway.tenant-gamma.svc.cluster.local', port: { number: 8080 } },
              headers: { request: { remove: ['x-tenant-id'] } },
            },
          ],
        },
      ]);
    });
  });
});

describe('GIVEN identity without a domain (tenants told apart by path prefix)', () => {
  const s = synth({ domain: undefined });
  const json = s.tenantJson(s.tenant({ id: 'beta', tier: 'starter' }));

  test('THEN the prefix route strips x-tenant-id, and the namespace policy holds whatever route a request took', () => {
    const [vs] = manifestsOf(json, 'VirtualService');
    expect(vs.spec.http[1]).toEqual({
      name: 'tenant',
      match: [{ uri: { prefix: '/beta/' } }],
      rewrite: { uri: '/' },
      route: [
        { destination: { host: 'gateway.tenant-beta.svc.cluster.local', port: { number: 8080 } }, headers: { request: { remove: ['x-tenant-id'] } } },
      ],
    });
    // No host or path in the policy: it is the namespace that decides, not how the gateway routed.
    expect(JSON.stringify(identityObjects(json).allow)).not.toMatch(/hosts|paths/);
  });
});

/**
 * Istio's ALLOW evaluation of the namespace's policies for one request from the gateway: a rule
 * matches when one of its sources matches (namespace and request principal) and every `when` holds.
 */
function admitted(policies: any[], request: { namespace: string; principal?: string; claims: Record<string, string> }): boolean {
  const glob = (pattern: string, value: string) => (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value);
  return policies.some((p) =>
    p.spec.rules.some(
      (rule: any) =>
        (rule.from ?? []).some(
          ({ source }: any) =>
            (!source.namespaces || source.namespaces.includes(request.namespace)) &&
            (!source.requestPrincipals ||
              (request.principal !== undefined && source.requestPrincipals.some((r: string) => glob(r, request.principal!)))),
        ) &&
        (rule.when ?? []).every((w: any) => {
          const claim = /^request\.auth\.claims\[(.+)\]$/.exec(w.key)?.[1];
          return claim !== undefined && w.values.includes(request.claims[claim]);
        }),
    ),
  );
}

describe.each([
  ['with a domain', 'example.com'],
  ['by path prefix', undefined],
])('GIVEN three tenants with identity, %s', (_, domain) => {
  const s = synth({ domain } as Partial<PlatformConfig>);
  const tenants = [
    s.tenant({ id: 'globex', tier: 'enterprise' }),
    s.tenant({ id: 'beta', tier: 'starter' }),
    s.tenant({ id: 'delta', tier: 'starter' }),
  ];
  const policies = Object.fromEntries(tenants.map((t) => [t.id, identityObjects(s.tenantJson(t))]));
  /** A token as the gateway sees it: its issuer (the tenant's pool expression) and tenant claim. */
  const tokenOf = (id: string) => ({
    principal: `${policies[id].requestAuthentication[0].spec.jwtRules[0].issuer}/user-1`,
    claims: { 'custom:tenant_id': id },
  });

  test.each(tenants.flatMap((a) => tenants.map((b) => [a.id, b.id] as const)))(
    "THEN a token of %s reaching %s's namespace through the gateway is admitted only when they are the same tenant",
    (from, to) => {
      expect(admitted(policies[to].allow, { namespace: 'istio-system', ...tokenOf(from) })).toBe(from === to);
    },
  );

  test('THEN a pooled token claiming another tenant is refused, and a request without a token is refused', () => {
    const pooled = tokenOf('beta');
    expect(admitted(policies.delta.allow, { namespace: 'istio-system', principal: pooled.principal, claims: { 'custom:tenant_id': 'beta' } })).toBe(
      false,
    );
    expect(admitted(policies.beta.allow, { namespace: 'istio-system', claims: {} })).toBe(false);
    // The tenant's own services still call each other without an end user's token.
    expect(admitted(policies.beta.allow, { namespace: 'tenant-beta', claims: {} })).toBe(true);
    expect(admitted(policies.beta.allow, { namespace: 'tenant-delta', claims: {} })).toBe(false);
  });
});

describe('GIVEN a tenant that asks for the pooled pool when no tier has it', () => {
  test('THEN loading it fails naming the field and the fix', () => {
    const platform = platformSpec({ tiers: NO_POOLED_TIER } as Partial<PlatformConfig>);
    const file = tenantSchema.parse({ version: 1, id: 'beta', tier: 'starter', overrides: { tier: { identity: 'pooled' } } });
    expect(() => resolveTenant(file, platform, resolveTiers(platform.tiers), 'beta.json')).toThrow(ConfigError);
    expect(() => resolveTenant(file, platform, resolveTiers(platform.tiers), 'beta.json')).toThrow(
      /overrides\.tier\.identity.*give a tier identity "pooled"/s,
    );
  });

  test('THEN the platform stack holds no pooled pool', () => {
    const platform = platformSpec({ tiers: NO_POOLED_TIER } as Partial<PlatformConfig>);
    const json = SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform })));
    expect(json.resources('aws_cognito_user_pool')).toEqual({});
    expect(json.resources('aws_ssm_parameter')).toEqual({});
  });
});

describe('GIVEN the stock tiers', () => {
  const platform = platformSpec({ domain: 'example.com' });
  const tiers = resolveTiers(platform.tiers);
  const tenantJson = (config: Omit<TenantConfig, 'version'>) =>
    SynthJson.parse(
      Testing.synth(
        new TenantStack(Testing.app(), {
          platform,
          tenant: resolveTenant(tenantSchema.parse({ version: 1, ...config }), platform, tiers, `${config.id}.json`),
        }),
      ),
    );

  test('THEN enterprise tenants get a user pool of their own, standard and starter ones the pooled pool of the platform stack', () => {
    expect(Object.fromEntries(Object.entries(tiers).map(([name, t]) => [name, t.identity]))).toEqual({
      enterprise: 'dedicated',
      standard: 'pooled',
      starter: 'pooled',
    });
    const pools = Object.values(SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform }))).resources('aws_cognito_user_pool'));
    expect(pools.map((p) => p.name)).toEqual(['acme-prod-tenant-users']);
  });

  test('THEN a tier added in platform.json signs its users in to the pooled pool unless it says otherwise', () => {
    const gold = { ...tierCatalog.enterprise, identity: undefined, description: 'Gold' };
    expect(resolveTiers({ gold }).gold.identity).toBe('pooled');
    expect(resolveTiers({ gold: { ...gold, identity: 'none' } }).gold.identity).toBe('none');
  });

  describe('WHEN a tenant of a pooled tier turns identity off for itself (its application signs users in on its own)', () => {
    const json = tenantJson({ id: 'legacy', tier: 'standard', overrides: { tier: { identity: 'none' } } });

    test("THEN nothing of identity is there, and its route still drops a client's x-tenant-id", () => {
      expect(identityObjects(json)).toEqual({ requestAuthentication: [], allow: [] });
      expect(json.data('aws_ssm_parameter')).toEqual({});
      expect(manifestsOf(json, 'VirtualService')[0].spec.http).toEqual([
        {
          name: 'tenant',
          // A client's x-tenant-id never reaches the tenant's services, with identity or without.
          route: [
            {
              destination: { host: 'gateway.tenant-legacy.svc.cluster.local', port: { number: 8080 } },
              headers: { request: { remove: ['x-tenant-id'] } },
            },
          ],
        },
      ]);
    });
  });

  describe('WHEN an enterprise tenant turns identity off for itself', () => {
    const json = tenantJson({ id: 'bigco', tier: 'enterprise', overrides: { tier: { identity: 'none' } } });

    test('THEN it gets no user pool of its own and no identity objects', () => {
      expect(identityObjects(json)).toEqual({ requestAuthentication: [], allow: [] });
      expect(json.resources('aws_cognito_user_pool')).toEqual({});
      expect(json.resources('aws_cognito_user_pool_client')).toEqual({});
    });
  });
});
