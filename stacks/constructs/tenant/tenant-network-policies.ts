import {
  NetworkPolicyV1,
  type NetworkPolicyV1Spec,
  type NetworkPolicyV1SpecEgressPorts,
  type NetworkPolicyV1SpecEgressTo,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { JAEGER_OTLP_GRPC_PORT } from '../addons/jaeger';
import { POSTGRES_PORT } from '../database/database-proxy';
import { tenantLabels } from './tenant-namespace';

export interface TenantNetworkPoliciesProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace (a reference, so the policies are created after it). */
  readonly namespace: string;
  /** `<ip>/32` of each network interface of the STS endpoint (StsEndpointAddresses). */
  readonly stsEndpointCidrs: string[];
}

/** istiod's xDS and certificate (CA) port, the one port sidecars open to the control plane. */
export const ISTIOD_XDS_PORT = 15012;
/** Ports Prometheus scrapes on a sidecar-injected pod: merged app and agent metrics, Envoy stats. */
export const PROMETHEUS_SCRAPE_PORTS = [15020, 15090];
const DNS_PORT = 53;
const KUBE_SYSTEM = 'kube-system';
/** Set by Kubernetes on every namespace; tenants cannot forge it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type Peer = NetworkPolicyV1SpecEgressTo;
type Port = NetworkPolicyV1SpecEgressPorts;

/** Pods with these labels in one named namespace (never every namespace). */
const podsIn = (namespace: string, pods?: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  ...(pods ? { podSelector: { matchLabels: pods } } : {}),
});
const HTTPS_PORT = 443;
const tcp = (port: number): Port => ({ protocol: 'TCP', port: String(port) });

/**
 * The tenant namespace's network isolation, following the Kubernetes multi-tenancy guidance:
 * deny everything, then allow traffic within the namespace, DNS to kube-dns, ingress from the
 * Istio ingress gateway and Prometheus, and egress to istiod, the trace collector, shared
 * services, RDS Proxy (by the database subnets, where its ENIs live) and the STS endpoint (by the
 * addresses of its network interfaces).
 *
 * `overrides.network.denyEgress: false` lifts egress isolation entirely: every policy then selects
 * Ingress only, because one policy with an Egress type would isolate the pods' egress again.
 * `overrides.network.allowEgress` adds destinations by CIDR and TCP port.
 */
export class TenantNetworkPolicies extends Construct {
  /** Policies by name. */
  readonly policies: Record<string, NetworkPolicyV1> = {};

  constructor(scope: Construct, id: string, props: TenantNetworkPoliciesProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const names = platformNames(platform);
    const ns = names.namespaces;
    const network = tenant.overrides.network ?? {};
    const denyEgress = network.denyEgress !== false;
    const types = denyEgress ? ['Ingress', 'Egress'] : ['Ingress'];
    const policy = (name: string, spec: Omit<NetworkPolicyV1Spec, 'podSelector'>) => {
      this.policies[name] = new NetworkPolicyV1(this, name, {
        metadata: { name, namespace: props.namespace, labels: tenantLabels(tenant) },
        spec: { podSelector: {}, ...spec },
      });
    };

    policy('default-deny', { policyTypes: types });
    policy('allow-same-namespace', {
      policyTypes: types,
      ingress: [{ from: [{ podSelector: {} }] }],
      ...(denyEgress ? { egress: [{ to: [{ podSelector: {} }] }] } : {}),
    });
    policy('allow-ingress-gateway', {
      policyTypes: ['Ingress'],
      ingress: [{ from: [podsIn(ns.istio, names.ingressGatewayLabels)] }],
    });
    policy('allow-prometheus', {
      policyTypes: ['Ingress'],
      ingress: [{ from: [podsIn(ns.monitoring, { 'app.kubernetes.io/name': 'prometheus' })], ports: PROMETHEUS_SCRAPE_PORTS.map(tcp) }],
    });
    if (!denyEgress) return;

    policy('allow-dns', {
      policyTypes: ['Egress'],
      egress: [{ to: [podsIn(KUBE_SYSTEM, { 'k8s-app': 'kube-dns' })], ports: [{ protocol: 'UDP', port: String(DNS_PORT) }, tcp(DNS_PORT)] }],
    });
    policy('allow-istiod', {
      policyTypes: ['Egress'],
      egress: [{ to: [podsIn(ns.istio, { app: 'istiod' })], ports: [tcp(ISTIOD_XDS_PORT)] }],
    });
    policy('allow-tracing', {
      policyTypes: ['Egress'],
      // Sidecars send spans to the collector in the monitoring namespace (OTLP/gRPC).
      egress: [{ to: [podsIn(ns.monitoring)], ports: [tcp(JAEGER_OTLP_GRPC_PORT)] }],
    });
    policy('allow-shared-services', {
      policyTypes: ['Egress'],
      egress: [{ to: [podsIn(ns.sharedServices)] }],
    });
    policy('allow-database', {
      policyTypes: ['Egress'],
      egress: [{ to: platform.network.databaseSubnets.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(POSTGRES_PORT)] }],
    });
    policy('allow-aws-sts', {
      policyTypes: ['Egress'],
      // IRSA exchanges the pod's token at STS through its VPC interface endpoint: HTTPS to the
      // endpoint's addresses only, not to the private subnets the nodes and pods share.
      egress: [{ to: props.stsEndpointCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(HTTPS_PORT)] }],
    });
    if (network.allowEgress?.length) {
      policy('allow-egress-overrides', {
        policyTypes: ['Egress'],
        egress: network.allowEgress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: rule.ports.map(tcp) })),
      });
    }
  }
}
