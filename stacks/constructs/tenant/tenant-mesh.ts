import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { TENANT_ID_HEADER } from '../../../src/model/identity';
import { SERVICE_DNS_SUFFIX, TENANT_ENTRY_SERVICE, platformNames, tenantEntryHost } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { POSTGRES_PORT } from '../database/database-proxy';
import { tenantLabels } from './tenant-namespace';

export interface TenantMeshProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace (a reference, so the objects are created after it). */
  readonly namespace: string;
  /** RDS Proxy endpoint: declared to the tenant's sidecars, which pass only registered destinations. */
  readonly proxyEndpoint: string;
}

const API = {
  security: 'security.istio.io/v1',
  networking: 'networking.istio.io/v1beta1',
  envoyFilter: 'networking.istio.io/v1alpha3',
} as const;

/**
 * Where the tier's local rate limit goes: an HTTP filter inserted before the router of every
 * sidecar's inbound listener. The only EnvoyFilter a tenant pipeline may write (TenantDeployerAccess).
 */
export const LOCAL_RATE_LIMIT_PATCH = {
  applyTo: 'HTTP_FILTER',
  context: 'SIDECAR_INBOUND',
  operation: 'INSERT_BEFORE',
  filter: 'envoy.filters.http.local_ratelimit',
} as const;

/**
 * The tenant's Istio objects, as kubernetes_manifest (the platform stack installed the CRDs):
 * strict mTLS; a DENY policy for callers from any namespace but the tenant's own, the ingress
 * gateway's and shared services'; the route from the shared ingress gateway to the tenant's
 * entry Service; the tier's connection pool and outlier detection for the tenant's services;
 * the tier's local rate limit at every sidecar of the namespace (a second line of defence: the
 * tenant's own limit holds across replicas at the gateway, see TenantRateLimit); and RDS Proxy as
 * a known external service, visible to this namespace only (the mesh passes registered hosts only).
 */
export class TenantMesh extends Construct {
  /** Manifests by construct id: a kind can occur more than once (two ServiceEntries). */
  readonly manifests: Record<string, Manifest> = {};

  constructor(scope: Construct, id: string, props: TenantMeshProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const names = platformNames(platform);
    const tier = tenant.tierSpec;
    const namespaceName = tenant.names.namespace;
    const object = (constructId: string, apiVersion: string, kind: string, name: string, spec: Record<string, unknown>) => {
      this.manifests[constructId] = new Manifest(this, constructId, {
        manifest: { apiVersion, kind, metadata: { name, namespace: props.namespace, labels: tenantLabels(tenant) }, spec },
      });
    };

    object('peer-authentication', API.security, 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } });

    object('deny-other-tenants', API.security, 'AuthorizationPolicy', 'deny-other-tenants', {
      action: 'DENY',
      rules: [{ from: [{ source: { notNamespaces: [namespaceName, names.namespaces.istio, names.namespaces.sharedServices] } }] }],
    });

    const destination = { host: tenantEntryHost(namespaceName), port: { number: TENANT_ENTRY_SERVICE.port } };
    // The tenant's services may trust x-tenant-id: it leaves the gateway only as TenantEdgeIdentity writes it (with
    // identity), and never as a client sent it (without: a header tenantctl's platform names is never the client's).
    const headers = { headers: { request: { remove: [TENANT_ID_HEADER] } } };
    // With a domain the tenant has its own host (the gateway accepts *.<domain>); without one,
    // tenants share every host and are told apart by path, which is stripped before the service.
    const prefix = tenant.names.pathPrefix;
    const http = tenant.names.host
      ? [{ name: 'tenant', route: [{ destination, ...headers }] }]
      : [
          { name: 'tenant-root', match: [{ uri: { exact: prefix.slice(0, -1) } }], redirect: { uri: prefix } },
          { name: 'tenant', match: [{ uri: { prefix } }], rewrite: { uri: '/' }, route: [{ destination, ...headers }] },
        ];
    object('virtual-service', API.networking, 'VirtualService', tenant.names.virtualService, {
      hosts: [tenant.names.host ?? '*'],
      gateways: [names.gateway],
      http,
    });

    const pool = tier.connectionPool;
    object('destination-rule', API.networking, 'DestinationRule', tenant.names.destinationRule, {
      host: `*.${namespaceName}.${SERVICE_DNS_SUFFIX}`,
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: pool.maxConnections },
          http: {
            http1MaxPendingRequests: pool.http1MaxPendingRequests,
            http2MaxRequests: pool.http2MaxRequests,
            maxRequestsPerConnection: pool.maxRequestsPerConnection,
          },
        },
        outlierDetection: { ...tier.outlierDetection },
        tls: { mode: 'ISTIO_MUTUAL' },
      },
    });

    object('rds-proxy', API.networking, 'ServiceEntry', 'rds-proxy', {
      hosts: [props.proxyEndpoint],
      exportTo: ['.'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: POSTGRES_PORT, name: 'tcp-postgres', protocol: 'TCP' }],
    });

    // STS for IRSA (the database auth token is signed with the credentials it returns); TLS passes through.
    object('aws-sts', API.networking, 'ServiceEntry', 'aws-sts', {
      hosts: [`sts.${props.platform.aws.region}.amazonaws.com`],
      exportTo: ['.'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 443, name: 'tls-sts', protocol: 'TLS' }],
    });

    object('rate-limit', API.envoyFilter, 'EnvoyFilter', tenant.names.localRateLimit, {
      // No workloadSelector: every sidecar in the namespace, each with its own bucket, which also
      // caps the tenant's own service-to-service calls that never pass the gateway.
      configPatches: [
        {
          applyTo: LOCAL_RATE_LIMIT_PATCH.applyTo,
          match: {
            context: LOCAL_RATE_LIMIT_PATCH.context,
            listener: {
              filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
            },
          },
          patch: { operation: LOCAL_RATE_LIMIT_PATCH.operation, value: localRateLimit(tier.requestsPerSecond) },
        },
      ],
    });
  }
}

/** Envoy's local rate limit filter: a token bucket of `perSecond` tokens refilled every second. */
function localRateLimit(perSecond: number): Record<string, unknown> {
  const always = (key: string) => ({ runtime_key: key, default_value: { numerator: 100, denominator: 'HUNDRED' } });
  return {
    name: LOCAL_RATE_LIMIT_PATCH.filter,
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'http_local_rate_limiter',
      token_bucket: { max_tokens: perSecond, tokens_per_fill: perSecond, fill_interval: '1s' },
      filter_enabled: always('local_rate_limit_enabled'),
      filter_enforced: always('local_rate_limit_enforced'),
      response_headers_to_add: [{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-tenantctl-rate-limited', value: 'true' } }],
    },
  };
}
