import type { TierSpec } from './tiers';

/**
 * How a tier's end users sign in at the tenant's host: `none` (the tenant's services authenticate
 * on their own), `pooled` (one Amazon Cognito user pool of the platform stack, every user carrying
 * the tenant attribute below) or `dedicated` (a user pool of the tenant's own, in its stack).
 */
export const IDENTITY_MODES = ['none', 'pooled', 'dedicated'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

/**
 * The user attribute naming a user's tenant. Immutable once the user exists, and no app client may
 * write it: only the admin API (AdminCreateUser, authorized by IAM on the pool, which no tenant
 * pipeline holds for the pooled pool) sets it, and self sign-up is off.
 */
export const TENANT_ID_ATTRIBUTE = 'tenant_id';
/** Cognito's name for it in ID tokens and app client attribute lists. */
export const TENANT_ID_CLAIM = `custom:${TENANT_ID_ATTRIBUTE}`;
/** The header a tenant's services read the verified tenant id from: written from the claim, removed from client requests. */
export const TENANT_ID_HEADER = 'x-tenant-id';

/**
 * Token lifetimes of every app client. The gateway checks a token's signature and expiry only (a
 * revoked token stays valid until it expires), so ID and access tokens live 15 minutes; a refresh
 * token renews them for a working day and is revoked with the session.
 */
export const TOKEN_VALIDITY = { idTokenMinutes: 15, accessTokenMinutes: 15, refreshTokenHours: 12 } as const;

/** What users may sign in with: SRP keeps the password off the wire; refresh renews tokens. No OAuth flow, so no implicit grant. */
export const AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;

/** Password policy of every pool: long, every character class, the last 24 remembered against reuse. */
export const PASSWORD_POLICY = {
  minimumLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
  passwordHistorySize: 24,
} as const;

/** True when the platform stack must hold the pooled user pool: some tier of the catalog signs its users in there. */
export function needsPooledUserPool(tiers: Readonly<Record<string, Pick<TierSpec, 'identity'>>>): boolean {
  return Object.values(tiers).some((t) => t.identity === 'pooled');
}

/** A user pool's issuer (`iss` of its tokens); its signing keys are at `<issuer>/.well-known/jwks.json`. */
export function cognitoIssuer(region: string, partition: string, userPoolId: string): string {
  const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://cognito-idp.${region}.${suffix}/${userPoolId}`;
}

/** The JWKS address of an issuer. */
export function jwksUri(issuer: string): string {
  return `${issuer}/.well-known/jwks.json`;
}

/** The Istio request principal pattern of every token of an issuer (`<iss>/<sub>`). */
export function issuerPrincipals(issuer: string): string {
  return `${issuer}/*`;
}

/** The Istio condition key of a token claim. */
export function claimKey(claim: string): string {
  return `request.auth.claims[${claim}]`;
}
