import { TENANT_ID_CLAIM, claimKey } from '../../model/identity';
import { STACK_TAGS } from '../../model/labels';
import { platformNames, tenantNames } from '../../model/names';
import { at, block, blocks, dataSources, manifests, namespaceOf, resources, strings, tenantStacks, type Json, type ManifestRef } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/** Names that are the same for every platform (namespaces, the gateway); the name only needs a platform shape. */
const NAMES = platformNames({ name: 'x', environment: 'x', aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] } });
const GATEWAY_NAMESPACE = NAMES.gateway.split('/')[0];
/** An issuer built from a user pool's id: `https://cognito-idp.<region>.amazonaws.com[.cn]/${<pool id>}`. */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/\$\{([^}]*)\}$/;
/** The tenant's own pool, or the parameter holding the pooled pool's id. */
const POOL_REF = /\b(data\.aws_ssm_parameter|aws_cognito_user_pool)\.([A-Za-z0-9_-]+)\./g;

type IssuerKind = { readonly kind: 'dedicated' | 'pooled' } | { readonly problem: string };

/** Where a tenant stack may take its issuer from: its own pool's name, or the parameter with the platform's pooled pool's id. */
function poolNames(stack: StackDocument, tenantId: string): { own: string; pooled: string; pooledParameter: string } | undefined {
  const tags = at(at(block(stack.json.provider?.aws), 'default_tags'), 'tags') as Json | undefined;
  const name = tags?.[STACK_TAGS.platform];
  const environment = tags?.[STACK_TAGS.environment];
  if (typeof name !== 'string' || typeof environment !== 'string') return undefined;
  const shape = {
    name,
    environment,
    domain: undefined,
    aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [], existingServiceLinkedRoles: [] },
  };
  const platform = platformNames(shape);
  return { own: tenantNames(shape, tenantId).userPool, pooled: platform.pooledUserPool, pooledParameter: platform.pooledUserPoolIdParameter };
}

/** Which of the tenant's pools an issuer is, or what is wrong with it. */
function issuerKind(stack: StackDocument, tenantId: string, issuer: string): IssuerKind {
  const m = COGNITO_ISSUER.exec(issuer);
  if (!m) return { problem: `trusts issuer ${JSON.stringify(issuer)}, which is no user pool of the tenant's stack` };
  const refs = [...m[1].matchAll(POOL_REF)];
  const names = poolNames(stack, tenantId);
  if (refs.length !== 1 || !names)
    return { problem: `trusts issuer ${JSON.stringify(issuer)}, which names no single user pool of the tenant's stack` };
  const [, type, id] = refs[0];
  if (type === 'aws_cognito_user_pool') {
    const name = resources(stack, type).find((r) => r.id === id)?.body.name;
    if (name === names.own) return { kind: 'dedicated' };
    return { problem: `trusts the user pool ${String(name)}, not the tenant's own ${names.own}` };
  }
  const name = dataSources(stack, 'aws_ssm_parameter').find((d) => d.id === id)?.body.name;
  if (name === names.pooledParameter) return { kind: 'pooled' };
  return {
    problem: `trusts the user pool whose id is in parameter ${String(name)}, not the platform's pooled ${names.pooled} (${names.pooledParameter})`,
  };
}

/** Istio security objects of one kind in the tenant's namespace. */
function inNamespace(stack: StackDocument, kind: string, namespace: string): ManifestRef[] {
  return manifests(stack, kind).filter((m) => namespaceOf(m) === namespace);
}

/** ALLOW is an AuthorizationPolicy's default action. */
const isAllow = (policy: ManifestRef) => (at(policy.manifest, 'spec.action') ?? 'ALLOW') === 'ALLOW';
const rulesOf = (policy: ManifestRef) => blocks(at(policy.manifest, 'spec.rules'));
const sourcesOf = (rule: Json) => blocks(rule.from).map((f) => block(f.source) ?? {});

/** True when a rule's `when` pins the tenant claim to the tenant's id alone. */
function pinsTenant(rule: Json, tenantId: string): boolean {
  return blocks(rule.when).some((w) => w.key === claimKey(TENANT_ID_CLAIM) && JSON.stringify(strings(w.values)) === JSON.stringify([tenantId]));
}

export const jwtPolicyOwnIssuer: Rule = {
  id: 'TC-IDN-001',
  title: "A tenant's JWT policies trust only the tenant's own user pool and tenant claim",
  severity: 'error',
  rationale:
    "The tenant's RequestAuthentication and AuthorizationPolicy decide whose end users reach its services. An issuer of another tenant's pool, any issuer (`*`), or the pooled pool without the condition that custom:tenant_id is the tenant's own admits another tenant's users, who then act in this tenant with a header its services trust.",
  remediation:
    "Keep the tenant's JWT objects as TenantEdgeIdentity writes them: the issuer of the tenant's own user pool (dedicated) or of the platform's pooled pool, request principals `<issuer>/*` only, and, for the pooled pool, `request.auth.claims[custom:tenant_id]` equal to the tenant id.",
  check: (ctx) => {
    const out: Violation[] = [];
    for (const t of tenantStacks(ctx.stacks, ctx.project)) {
      const report = (m: ManifestRef, what: string) =>
        out.push({
          stack: t.stack.name,
          address: m.address,
          message: `${m.manifest.kind} ${String(at(m.manifest, 'metadata.name'))} of tenant ${t.id} ${what}`,
        });
      for (const ra of inNamespace(t.stack, 'RequestAuthentication', t.namespace)) {
        for (const jwt of blocks(at(ra.manifest, 'spec.jwtRules'))) {
          const kind = issuerKind(t.stack, t.id, String(jwt.issuer ?? ''));
          if ('problem' in kind) report(ra, kind.problem);
        }
      }
      for (const policy of inNamespace(t.stack, 'AuthorizationPolicy', t.namespace).filter(isAllow)) {
        for (const rule of rulesOf(policy)) {
          for (const principal of sourcesOf(rule).flatMap((s) => strings(s.requestPrincipals))) {
            if (!principal.endsWith('/*')) {
              report(policy, `admits request principal ${JSON.stringify(principal)}: tokens of any issuer or subject, not the tenant's`);
              continue;
            }
            const kind = issuerKind(t.stack, t.id, principal.slice(0, -2));
            if ('problem' in kind) report(policy, kind.problem);
            else if (kind.kind === 'pooled' && !pinsTenant(rule, t.id))
              report(policy, `admits every tenant's users of the pooled user pool: no condition that ${TENANT_ID_CLAIM} is ${t.id}`);
          }
        }
      }
    }
    return out;
  },
};

/** Tenants whose tier turns identity on: from the project, or, without one, from the stack holding an identity object. */
function identityOn(ctx: RuleContext, stack: StackDocument, id: string, namespace: string): boolean {
  const tenant = ctx.project?.tenants.find((x) => x.id === id);
  if (tenant) return tenant.tierSpec.identity !== 'none';
  return (
    resources(stack, 'aws_cognito_user_pool').length > 0 ||
    dataSources(stack, 'aws_ssm_parameter').length > 0 ||
    inNamespace(stack, 'RequestAuthentication', namespace).length > 0
  );
}

/** True when an ALLOW rule lets a request from the gateway through without a token. */
function admitsGatewayWithoutToken(rule: Json): boolean {
  const sources = sourcesOf(rule);
  if (!sources.length) return true;
  return sources.some((s) => {
    const namespaces = strings(s.namespaces);
    const fromGateway = namespaces.length === 0 ? strings(s.principals).length === 0 : namespaces.includes(GATEWAY_NAMESPACE);
    return fromGateway && strings(s.requestPrincipals).length === 0;
  });
}

export const tenantHostChecksTokens: Rule = {
  id: 'TC-IDN-002',
  title: "With identity on, a tenant's namespace takes requests from the gateway only with the tenant's token",
  severity: 'error',
  rationale:
    "Istio checks no token without a RequestAuthentication, and admits every request without an ALLOW AuthorizationPolicy: the tenant's host (or its path prefix on a shared host) then serves anyone, and the tenant's services read x-tenant-id and user claims as if they had been verified.",
  remediation: `Keep TenantEdgeIdentity in the tenant's stack: a RequestAuthentication in the tenant namespace and an ALLOW AuthorizationPolicy whose rules admit ${GATEWAY_NAMESPACE} only with requestPrincipals of the tenant's issuer.`,
  check: (ctx) => {
    const out: Violation[] = [];
    for (const t of tenantStacks(ctx.stacks, ctx.project)) {
      if (!identityOn(ctx, t.stack, t.id, t.namespace)) continue;
      const address = t.namespaceResource?.address ?? t.stack.name;
      const report = (what: string, at = address) => out.push({ stack: t.stack.name, address: at, message: `tenant ${t.id} ${what}` });
      if (!inNamespace(t.stack, 'RequestAuthentication', t.namespace).length)
        report(`has identity on but no RequestAuthentication in ${t.namespace}: its host takes requests without checking a token`);
      // Namespace-wide only: a policy with a selector leaves the other workloads open.
      const allow = inNamespace(t.stack, 'AuthorizationPolicy', t.namespace).filter(
        (p) => isAllow(p) && at(p.manifest, 'spec.selector') === undefined,
      );
      if (!allow.length)
        report(`has no namespace-wide ALLOW AuthorizationPolicy in ${t.namespace}: every request from the gateway passes, with a token or without`);
      for (const policy of allow) {
        if (rulesOf(policy).some(admitsGatewayWithoutToken))
          report(
            `admits requests from ${GATEWAY_NAMESPACE} without a token (AuthorizationPolicy ${String(at(policy.manifest, 'metadata.name'))})`,
            policy.address,
          );
      }
    }
    return out;
  },
};

export const identityRules: readonly Rule[] = [jwtPolicyOwnIssuer, tenantHostChecksTokens];
