/**
 * A trust policy for tokens of one OIDC identity provider (EKS service accounts, Terraform Cloud
 * runs): `sts:AssumeRoleWithWebIdentity` from that provider, only under the given conditions.
 * Serialized with JSON.stringify, not Fn.jsonencode: the issuer is often a token and appears in
 * object keys, which jsonencode cannot render; inside a string Terraform interpolates it.
 */
export function webIdentityTrust(oidcProviderArn: string, condition: Record<string, Record<string, string>>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: oidcProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
  });
}
