import { Testing } from 'cdktf';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { identityRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';
import { findingsOf, triples } from './fixtures';

// The stock tiers: enterprise tenants have their own pools, starter tenants the pooled one.
const platform = platformSpec();
const tiers = resolveTiers(platform.tiers);

/** A freshly synthesized tenant stack, for a test to break. */
function stackOf(id: string, tier: string): StackDocument & { json: any } {
  const tenant = resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `${id}.json`);
  return { name: tenant.names.stack, json: JSON.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant }))) };
}

const IDS = new Set(identityRules.map((r) => r.id));
const identityFindings = (stacks: StackDocument[]) => triples(findingsOf(stacks).filter((f) => IDS.has(f.ruleId)));
/** The address and manifest of the tenant's identity object of a kind. */
function identityObject(stack: { json: any }, kind: string): { address: string; manifest: any } {
  const [id, body] = Object.entries<any>(stack.json.resource.kubernetes_manifest).find(
    ([, m]) => m.manifest.kind === kind && m.manifest.metadata.name === 'tenant-identity',
  )!;
  return { address: `kubernetes_manifest.${id}`, manifest: body.manifest };
}
const namespaceAddress = (stack: { json: any }) => `kubernetes_namespace_v1.${Object.keys(stack.json.resource.kubernetes_namespace_v1)[0]}`;

describe('GIVEN tenant stacks with dedicated and pooled identity', () => {
  test('THEN the stacks as synthesized pass both rules', () => {
    expect(identityFindings([stackOf('globex', 'enterprise'), stackOf('beta', 'starter')])).toEqual([]);
  });

  test("WHEN a tenant's RequestAuthentication trusts another tenant's pool THEN TC-IDN-001 names it", () => {
    const globex = stackOf('globex', 'enterprise');
    const other = stackOf('initech', 'enterprise');
    // The other tenant's pool, copied in, and the issuer pointed at it.
    const otherId = 'initech_pool';
    globex.json.resource.aws_cognito_user_pool[otherId] = Object.values<any>(other.json.resource.aws_cognito_user_pool)[0];
    const ra = identityObject(globex, 'RequestAuthentication');
    ra.manifest.spec.jwtRules[0].issuer = `https://cognito-idp.eu-west-1.amazonaws.com/\${aws_cognito_user_pool.${otherId}.id}`;
    const findings = findingsOf([globex]).filter((f) => IDS.has(f.ruleId));
    expect(triples(findings)).toEqual([['TC-IDN-001', 'tenant-globex', ra.address]]);
    expect(findings[0].message).toBe(
      "RequestAuthentication tenant-identity of tenant globex trusts the user pool acme-prod-tenant-initech, not the tenant's own acme-prod-tenant-globex",
    );
  });

  test('WHEN a RequestAuthentication trusts a fixed issuer THEN TC-IDN-001 names it', () => {
    const beta = stackOf('beta', 'starter');
    const ra = identityObject(beta, 'RequestAuthentication');
    ra.manifest.spec.jwtRules[0].issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';
    expect(identityFindings([beta])).toEqual([['TC-IDN-001', 'tenant-beta', ra.address]]);
  });

  test('WHEN the ALLOW policy admits any request principal THEN TC-IDN-001 names it', () => {
    const globex = stackOf('globex', 'enterprise');
    const policy = identityObject(globex, 'AuthorizationPolicy');
    policy.manifest.spec.rules[1].from[0].source.requestPrincipals = ['*'];
    expect(identityFindings([globex])).toEqual([['TC-IDN-001', 'tenant-globex', policy.address]]);
  });

  test('WHEN a pooled tenant drops the tenant claim condition THEN TC-IDN-001 says every pooled tenant gets in', () => {
    const beta = stackOf('beta', 'starter');
    const policy = identityObject(beta, 'AuthorizationPolicy');
    delete policy.manifest.spec.rules[1].when;
    const findings = findingsOf([beta]).filter((f) => IDS.has(f.ruleId));
    expect(triples(findings)).toEqual([['TC-IDN-001', 'tenant-beta', policy.address]]);
    expect(findings[0].message).toMatch(/admits every tenant's users of the pooled user pool: no condition that custom:tenant_id is beta/);
  });

  test('WHEN the tenant claim condition names another tenant THEN TC-IDN-001 names it', () => {
    const beta = stackOf('beta', 'starter');
    const policy = identityObject(beta, 'AuthorizationPolicy');
    policy.manifest.spec.rules[1].when[0].values = ['beta', 'delta'];
    expect(identityFindings([beta])).toEqual([['TC-IDN-001', 'tenant-beta', policy.address]]);
  });

  test('WHEN the RequestAuthentication is gone THEN TC-IDN-002 says the host takes requests unchecked', () => {
    const beta = stackOf('beta', 'starter');
    const ra = identityObject(beta, 'RequestAuthentication');
    delete beta.json.resource.kubernetes_manifest[ra.address.split('.')[1]];
    const findings = findingsOf([beta]).filter((f) => IDS.has(f.ruleId));
    expect(triples(findings)).toEqual([['TC-IDN-002', 'tenant-beta', namespaceAddress(beta)]]);
    expect(findings[0].message).toMatch(/no RequestAuthentication in tenant-beta/);
  });

  test('WHEN the ALLOW policy is gone THEN TC-IDN-002 says every gateway request passes', () => {
    const globex = stackOf('globex', 'enterprise');
    const policy = identityObject(globex, 'AuthorizationPolicy');
    delete globex.json.resource.kubernetes_manifest[policy.address.split('.')[1]];
    expect(identityFindings([globex])).toEqual([['TC-IDN-002', 'tenant-globex', namespaceAddress(globex)]]);
  });

  test.each([
    ['admits the gateway namespace without a token', (spec: any) => spec.rules.push({ from: [{ source: { namespaces: ['istio-system'] } }] })],
    ['has a rule with no source at all', (spec: any) => spec.rules.push({})],
  ])('WHEN the ALLOW policy %s THEN TC-IDN-002 names the policy', (_, change) => {
    const beta = stackOf('beta', 'starter');
    const policy = identityObject(beta, 'AuthorizationPolicy');
    change(policy.manifest.spec);
    expect(identityFindings([beta])).toEqual([['TC-IDN-002', 'tenant-beta', policy.address]]);
  });

  test('WHEN a tenant without identity has none of it THEN neither rule fires', () => {
    expect(identityFindings([stackOf('gamma', 'standard')])).toEqual([]);
  });
});
