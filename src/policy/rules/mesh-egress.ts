import * as ipaddr from 'ipaddr.js';
import { parseCidr, cidrsOverlap, type Cidr } from '../../model/cidr';
import { TENANT_LABEL } from '../../model/labels';
import { tenantIdOfStack } from '../../model/names';
import { at, block, blocks, resources, strings, type Json, type ResourceRef } from '../json';
import { platformReleases } from '../platform-charts';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/**
 * Egress of tenant and platform pods: HTTPS inside the VPC goes to the STS endpoint only, and a
 * tenant pod cannot leave the mesh (whose registry-only egress, mTLS and authorization the
 * network policies rely on).
 */

const HTTPS_PORT = 443;
/** Private address space, for when the VPC's own CIDR is not known. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/** Any IPv4 CIDR (host bits allowed, as NetworkPolicies allow them); undefined when it is not one. */
function anyCidr(text: string): Cidr | undefined {
  if (!ipaddr.IPv4.isValidCIDR(text)) return undefined;
  const [, prefix] = ipaddr.IPv4.parseCIDR(text);
  const parsed = parseCidr(`${ipaddr.IPv4.networkAddressFromCIDR(text).toString()}/${prefix}`, 32, 0);
  return typeof parsed === 'string' ? undefined : parsed;
}

/** The VPC's CIDR (project, else the platform stack's VPC); private address space when unknown. */
function vpcRanges(ctx: RuleContext): Cidr[] {
  const fromStacks = ctx.stacks
    .flatMap((s) => resources(s, 'aws_vpc').map((v) => v.body.cidr_block))
    .filter((c): c is string => typeof c === 'string');
  const known = ctx.project ? [ctx.project.platform.network.vpcCidr] : fromStacks;
  return (known.length ? known : PRIVATE_RANGES).map(anyCidr).filter((c): c is Cidr => !!c);
}

/** True when a NetworkPolicy egress rule's ports admit TCP 443 (no ports: every port). */
function admitsHttps(rule: Json): boolean {
  const ports = blocks(rule.ports);
  if (!ports.length) return true;
  return ports.some((p) => {
    if (p.protocol !== undefined && p.protocol !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) return p.port === 'https';
    const from = Number(p.port);
    const to = p.end_port === undefined ? from : Number(p.end_port);
    return from <= HTTPS_PORT && HTTPS_PORT <= to;
  });
}

const ENI_CIDR = /^\$\{data\.aws_network_interface\.([A-Za-z0-9_-]+)\.private_ip\}\/32$/;
const REF_ID = (type: string) => new RegExp(`\\$\\{[^}]*data\\.${type}\\.([A-Za-z0-9_-]+)\\.`);

/** True when a CIDR is `<ip>/32` of a network interface of the stack's STS interface endpoint. */
function isStsEndpointAddress(stack: StackDocument, cidr: string): boolean {
  const eni = ENI_CIDR.exec(cidr)?.[1];
  const eniData = eni ? block(stack.json.data?.aws_network_interface?.[eni]) : undefined;
  const endpointId = REF_ID('aws_vpc_endpoint').exec(String(eniData?.id ?? ''))?.[1];
  if (!endpointId || !String(eniData?.id).includes(`data.aws_vpc_endpoint.${endpointId}.network_interface_ids`)) return false;
  const serviceName = String(block(stack.json.data?.aws_vpc_endpoint?.[endpointId])?.service_name ?? '');
  const serviceId = REF_ID('aws_vpc_endpoint_service').exec(serviceName)?.[1];
  if (serviceId) return block(stack.json.data?.aws_vpc_endpoint_service?.[serviceId])?.service === 'sts';
  return /\.sts$/.test(serviceName);
}

export const httpsEgressToStsOnly: Rule = {
  id: 'TC-EGR-001',
  title: 'HTTPS egress inside the VPC goes to the STS endpoint only',
  severity: 'error',
  rationale:
    'Pods need HTTPS inside the VPC only for IRSA (STS through its interface endpoint). A rule that opens 443 to the private subnets or the ' +
    "VPC reaches every node, every other tenant's pods and the other AWS endpoints as well.",
  remediation:
    "Open TCP 443 to the /32 addresses of the STS interface endpoint's network interfaces (StsEndpointAddresses looks them up), and to " +
    'nothing else inside the VPC.',
  check: (ctx) => {
    const vpc = vpcRanges(ctx);
    return ctx.stacks.flatMap((stack) =>
      resources(stack, 'kubernetes_network_policy_v1', 'kubernetes_network_policy').flatMap((p): Violation[] => {
        const wide = blocks(at(p.body.spec, 'egress'))
          .filter(admitsHttps)
          .flatMap((rule) => blocks(rule.to).map((peer) => at(peer.ip_block, 'cidr')))
          .filter((cidr): cidr is string => typeof cidr === 'string')
          .filter((cidr) => {
            if (isStsEndpointAddress(stack, cidr)) return false;
            const parsed = anyCidr(cidr);
            // A reference that is not the STS endpoint's address may be anything, the VPC included.
            return !parsed || vpc.some((v) => cidrsOverlap(v, parsed));
          });
        return wide.length
          ? [
              {
                stack: stack.name,
                address: p.address,
                message: `NetworkPolicy ${String(at(p.body.metadata, 'name'))} opens HTTPS to ${[...new Set(wide)].join(', ')}: inside the VPC that is more than the STS endpoint`,
              },
            ]
          : [];
      }),
    );
  },
};

/** Kyverno ClusterPolicies, whether a stack applies them directly or through a chart's values. */
function clusterPolicies(stack: StackDocument): { ref: ResourceRef; policy: Json }[] {
  const direct = resources(stack, 'kubernetes_manifest')
    .map((ref) => ({ ref, policy: block(ref.body.manifest) ?? {} }))
    .filter(({ policy }) => policy.kind === 'ClusterPolicy');
  const charted = platformReleases(stack).flatMap((r) => findClusterPolicies(r.values).map((policy) => ({ ref: r.ref, policy })));
  return [...direct, ...charted];
}

function findClusterPolicies(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(findClusterPolicies);
  if (typeof value !== 'object' || value === null) return [];
  const obj = value as Json;
  if (obj.kind === 'ClusterPolicy' && String(obj.apiVersion ?? '').startsWith('kyverno.io/')) return [obj];
  return Object.values(obj).flatMap(findClusterPolicies);
}

/** What a policy keeping tenant pods in the mesh must look at, and why. */
const MESH_ESCAPES: readonly [string, string][] = [
  ['sidecar.istio.io/inject', 'opting out of injection'],
  ["name=='istio-proxy'", 'running without the injected proxy'],
  ['proxy.istio.io/overrides', 'replacing the injected proxy container'],
  ['inject.istio.io/templates', 'choosing another injection template'],
  ['traffic.sidecar.istio.io/', 'excluding ports or addresses from capture'],
  ['sidecar.istio.io/interceptionMode', 'turning interception off'],
];

/** Enforced validate rules on Pods of namespaces selected by the tenant label. */
function tenantPodValidations(policy: Json): Json[] {
  return blocks(at(policy.spec, 'rules')).filter((rule) => {
    const enforced = at(rule, 'validate.failureAction') === 'Enforce' || at(policy.spec, 'validationFailureAction') === 'Enforce';
    const matches = blocks(at(rule, 'match.any')).some((m) => {
      const resourcesOf = block(m.resources);
      const selector = JSON.stringify(resourcesOf?.namespaceSelector ?? {});
      return strings(resourcesOf?.kinds).includes('Pod') && selector.includes(`"${TENANT_LABEL}"`);
    });
    return enforced && matches && block(at(rule, 'validate.deny'));
  });
}

export const tenantPodsStayInMesh: Rule = {
  id: 'TC-EGR-002',
  title: 'Tenant pods cannot leave the mesh',
  severity: 'error',
  rationale:
    'A pod that opts out of sidecar injection, replaces the proxy or excludes ports and addresses from capture talks past the mesh: its ' +
    'registry-only egress, mutual TLS and authorization policies no longer apply to that traffic.',
  remediation:
    'Keep the tenant-mesh-capture ClusterPolicy (chart tenant-guardrails): it enforces, for Pods of every namespace labelled with the ' +
    'tenant label, the injected proxy, unmodified, capturing all traffic.',
  check: (ctx) => {
    const cluster = ctx.stacks.find((s) => platformReleases(s).some((r) => r.chart === 'kyverno'));
    if (!cluster || !ctx.stacks.some((s) => tenantIdOfStack(s.name) !== undefined)) return [];
    const candidates = ctx.stacks.flatMap(clusterPolicies).map(({ ref, policy }) => ({ ref, text: JSON.stringify(tenantPodValidations(policy)) }));
    const best = candidates
      .map((c) => ({ ...c, missing: MESH_ESCAPES.filter(([needle]) => !c.text.includes(needle)) }))
      .sort((a, b) => a.missing.length - b.missing.length)[0];
    const kyverno = platformReleases(cluster).find((r) => r.chart === 'kyverno')!;
    if (!best || best.missing.length === MESH_ESCAPES.length) {
      return [
        {
          stack: cluster.name,
          address: kyverno.ref.address,
          message:
            'no enforced Kyverno ClusterPolicy covers tenant pods leaving the mesh: a tenant pod can opt out of its sidecar or exclude ' +
            'traffic from capture',
        },
      ];
    }
    return best.missing.length
      ? [
          {
            stack: best.ref.stack.name,
            address: best.ref.address,
            message: `the ClusterPolicy for tenant pods does not stop ${best.missing.map(([, why]) => why).join(', ')}`,
          },
        ]
      : [];
  },
};

export const meshEgressRules: readonly Rule[] = [httpsEgressToStsOnly, tenantPodsStayInMesh];
