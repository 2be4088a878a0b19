import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { TENANT_ID_CLAIM, TENANT_ID_HEADER, claimKey, cognitoIssuer, issuerPrincipals, jwksUri } from '../../../src/model/identity';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { UserPool } from '../identity/user-pool';
import { tenantLabels } from './tenant-namespace';

export interface TenantEdgeIdentityProps {
  readonly platform: PlatformSpec;
  /** A tenant whose tier has identity `pooled` or `dedicated`. */
  readonly tenant: TenantSpec;
  /** The tenant's namespace (a reference, so the objects are created after it). */
  readonly namespace: string;
}

const SECURITY_API = 'security.istio.io/v1';

/**
 * Who may call the tenant's namespace from the ingress gateway: only holders of an ID token of the
 * tenant's user pool (its own, or the pooled one) naming the tenant in `custom:tenant_id`, which
 * only ID tokens carry. The RequestAuthentication checks the token (issuer, signature, expiry) and copies the tenant claim to `x-tenant-id`; the ALLOW AuthorizationPolicy admits
 * gateway traffic only with such a token, and the tenant's own and shared services' calls as
 * before. Both live in the tenant's namespace and hold for every workload there, so a token of
 * another tenant is refused whichever host or path prefix brought it; the shared gateway, its
 * routes and its rate limit descriptors stay as they are, and nothing outside this stack changes.
 */
export class TenantEdgeIdentity extends Construct {
  /** `iss` of the tenant's tokens. */
  readonly issuer: string;
  readonly requestAuthentication: Manifest;
  readonly authorizationPolicy: Manifest;

  constructor(scope: Construct, id: string, props: TenantEdgeIdentityProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const names = platformNames(platform);
    const mode = tenant.tierSpec.identity;
    if (mode === 'none') throw new Error(`tenant ${tenant.id}: tier ${tenant.tier} has no identity, so TenantEdgeIdentity has nothing to check`);

    if (mode === 'dedicated') {
      const own = new UserPool(this, 'user-pool', {
        name: tenant.names.userPool,
        clientName: tenant.names.userPoolClient,
        region: platform.aws.region,
        partition: names.partition,
        threatProtection: true,
      });
      this.issuer = own.issuer;
    } else {
      // The platform stack publishes the pooled pool's id (the tenant stack plans without its state).
      // Not the pool's name: names are not unique in Cognito, and a dedicated tenant's pipeline may
      // create a pool of any name. No tenant role may write this parameter (the tenant boundary).
      const pooledId = new DataAwsSsmParameter(this, 'pooled-user-pool-id', { name: names.pooledUserPoolIdParameter });
      // A String parameter: its insecure_value is the id itself, not marked sensitive in the manifests.
      this.issuer = cognitoIssuer(platform.aws.region, names.partition, pooledId.insecureValue);
    }

    const metadata = { name: tenant.names.identityPolicy, namespace: props.namespace, labels: tenantLabels(tenant) };
    this.requestAuthentication = new Manifest(this, 'request-authentication', {
      manifest: {
        apiVersion: SECURITY_API,
        kind: 'RequestAuthentication',
        metadata,
        spec: {
          jwtRules: [
            {
              issuer: this.issuer,
              jwksUri: jwksUri(this.issuer),
              // Any client of the pool: only the pool's owner (the tenant, or the platform) makes them.
              forwardOriginalToken: true,
              // Istio also removes the header from requests without a verified claim, so a client cannot set it.
              outputClaimToHeaders: [{ header: TENANT_ID_HEADER, claim: TENANT_ID_CLAIM }],
            },
          ],
        },
      },
    });
    const gatewayNamespace = names.gateway.split('/')[0];
    this.authorizationPolicy = new Manifest(this, 'authorization-policy', {
      manifest: {
        apiVersion: SECURITY_API,
        kind: 'AuthorizationPolicy',
        metadata,
        spec: {
          action: 'ALLOW',
          rules: [
            // The tenant's own services and shared services call without an end user's token.
            { from: [{ source: { namespaces: [tenant.names.namespace, names.namespaces.sharedServices] } }] },
            {
              from: [{ source: { namespaces: [gatewayNamespace], requestPrincipals: [issuerPrincipals(this.issuer)] } }],
              when: [{ key: claimKey(TENANT_ID_CLAIM), values: [tenant.id] }],
            },
          ],
        },
      },
    });
  }
}
