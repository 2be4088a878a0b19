/**
 * IAM policy documents, in IAM's own JSON spelling: identity policies, key policies, bucket
 * policies, trust policies and permissions boundaries all take the one statement type below.
 * Serialized with JSON.stringify, not Fn.jsonencode: an OIDC issuer is often a token and appears
 * in object keys, which jsonencode cannot render; inside a string Terraform interpolates it.
 */

export const IAM_POLICY_VERSION = '2012-10-17';

/** `Condition`: operator, then key, then the value or values that satisfy it. */
export type IamCondition = Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;

/** One statement of any IAM policy document. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Resource-based policies (keys, buckets) and trust policies only; `*` is anyone. */
  readonly Principal?: '*' | { readonly AWS: string } | { readonly Service: string } | { readonly Federated: string };
  readonly Action?: string | readonly string[];
  /** Everything but these actions (permissions boundaries). */
  readonly NotAction?: readonly string[];
  /** Every policy but a trust policy names its resources. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: IamCondition;
}

/** The policy document of `statements`, as the JSON string IAM, KMS and S3 take. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: IAM_POLICY_VERSION, Statement: statements });
}

/** Trust policy of a role that `service` (e.g. `ec2.amazonaws.com`) assumes, optionally limited by a condition. */
export function servicePrincipalTrust(service: string, condition?: IamCondition): string {
  return policyDocument([
    { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) },
  ]);
}

/**
 * Trust policy for tokens of one OIDC identity provider (EKS service accounts, Terraform Cloud
 * runs): `sts:AssumeRoleWithWebIdentity` from that provider, only under the given conditions.
 */
export function webIdentityTrust(oidcProviderArn: string, condition: IamCondition): string {
  return policyDocument([
    { Effect: 'Allow', Principal: { Federated: oidcProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition },
  ]);
}
