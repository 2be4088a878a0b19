import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { POSTGRES_PORT } from './database-proxy';
import { SQL_JOB_POD_LABELS } from './sql-job';

const HTTPS_PORT = 443;
const DNS_PORT = 53;

/**
 * The network policies of a namespace that runs SQL provisioning Jobs, created in `scope` as
 * `default-deny` and `provisioner-egress`: nothing may reach its Pods, and the Job Pods may reach
 * only DNS, the database subnets (RDS Proxy) and the STS interface endpoint's addresses on 443
 * (IRSA). Returns both, for the Jobs to depend on.
 */
export function provisioningNetworkPolicies(
  scope: Construct,
  props: {
    platform: PlatformSpec;
    namespace: string;
    /** `<ip>/32` of each network interface of the STS endpoint (StsEndpointAddresses). */
    stsEndpointCidrs: string[];
    dependsOn?: ITerraformDependable[];
  },
): NetworkPolicyV1[] {
  const { platform, namespace, dependsOn } = props;
  const denyAll = new NetworkPolicyV1(scope, 'default-deny', {
    dependsOn,
    metadata: { name: 'default-deny', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  const egress = new NetworkPolicyV1(scope, 'provisioner-egress', {
    dependsOn,
    metadata: { name: 'db-provisioner-egress', namespace },
    spec: {
      podSelector: { matchLabels: { ...SQL_JOB_POD_LABELS } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { port: String(DNS_PORT), protocol: 'UDP' },
            { port: String(DNS_PORT), protocol: 'TCP' },
          ],
        },
        {
          // RDS Proxy and the instance live in the database subnets.
          to: platform.network.databaseSubnets.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ port: String(POSTGRES_PORT), protocol: 'TCP' }],
        },
        {
          // STS (AssumeRoleWithWebIdentity for IRSA), at its interface endpoint's addresses only.
          to: props.stsEndpointCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ port: String(HTTPS_PORT), protocol: 'TCP' }],
        },
      ],
    },
  });
  return [denyAll, egress];
}
