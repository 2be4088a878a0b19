import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { eksAddonVersions, type EksAddonName } from '../../../src/model/eks-versions';
import { poolSelector, SYSTEM_TOLERATION } from '../../../src/model/node-pools';
import { IrsaRole } from '../identity/irsa-role';
import { awsManagedPolicyArn } from '../iam/arns';
import type { PolicyStatement } from '../iam/documents';
import { USE_KEY_ACTIONS } from '../kms/platform-keys';

export interface EksAddonsProps {
  readonly clusterName: string;
  /** Kubernetes version of the cluster: picks each add-on's pinned build (src/model/eks-versions.ts). */
  readonly kubernetesVersion: string;
  /** Name of the VPC CNI's IRSA role. */
  readonly vpcCniRoleName: string;
  readonly partition: string;
  readonly oidcProviderArn: string;
  /** OIDC issuer without https://. */
  readonly oidcIssuer: string;
  /** Name of the EBS CSI driver's IRSA role. */
  readonly ebsCsiRoleName: string;
  /** KMS key the EBS CSI driver encrypts persistent volumes with (a StorageClass names it). */
  readonly ebsKmsKeyArn: string;
}

type AddonOptions = { serviceAccountRoleArn?: string; configurationValues?: string; dependsOn?: ITerraformDependable[] };

/**
 * Network policies are enforced by the VPC CNI's network policy agent only when enabled; without
 * it, every tenant NetworkPolicy would be silently ignored.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true' };

/**
 * CoreDNS and the EBS CSI controller run on the system nodes. Tolerations replace the add-ons'
 * defaults, so those are repeated: CriticalAddonsOnly for both, and the CSI controller's
 * five-minute grace on NoExecute taints (node failures).
 */
const CRITICAL_ADDONS_ONLY = { key: 'CriticalAddonsOnly', operator: 'Exists' };
export const COREDNS_CONFIGURATION = { nodeSelector: poolSelector('system'), tolerations: [CRITICAL_ADDONS_ONLY, SYSTEM_TOLERATION] };
export const EBS_CSI_CONFIGURATION = {
  controller: {
    nodeSelector: poolSelector('system'),
    tolerations: [CRITICAL_ADDONS_ONLY, { effect: 'NoExecute', operator: 'Exists', tolerationSeconds: 300 }, SYSTEM_TOLERATION],
  },
};

/**
 * The EKS managed add-ons, in two steps around the node groups. Node add-ons (the constructor):
 * VPC CNI with network policy enforcement and its own IRSA role (the node role has no CNI
 * permissions, so nodes become Ready only once this exists), kube-proxy and the Pod Identity
 * agent. Workload add-ons (`addWorkloadAddons`, after the node groups): CoreDNS and the EBS CSI
 * driver (IRSA role), Deployments that stay degraded, and fail the apply, without nodes.
 * Each add-on runs the build pinned for the cluster's Kubernetes version, so a version bump
 * upgrades the add-ons right after the control plane.
 */
export class EksAddons extends Construct {
  readonly vpcCni: EksAddon;
  readonly kubeProxy: EksAddon;
  readonly podIdentityAgent: EksAddon;
  readonly vpcCniRole: IrsaRole;
  readonly ebsCsiRole: IrsaRole;
  /** What node groups must wait for. */
  readonly nodeDependencies: ITerraformDependable[];
  private readonly props: EksAddonsProps;

  constructor(scope: Construct, id: string, props: EksAddonsProps) {
    super(scope, id);
    this.props = props;
    const managedPolicy = (name: string) => awsManagedPolicyArn(props.partition, name);
    const irsa = (key: string, roleName: string, serviceAccount: string, policy: string, statements?: readonly PolicyStatement[]) =>
      new IrsaRole(this, key, {
        roleName,
        oidcProviderArn: props.oidcProviderArn,
        oidcIssuer: props.oidcIssuer,
        namespace: 'kube-system',
        serviceAccount,
        managedPolicyArns: [managedPolicy(policy)],
        statements,
      });

    this.vpcCniRole = irsa('vpc-cni-role', props.vpcCniRoleName, 'aws-node', 'AmazonEKS_CNI_Policy');
    // The managed policy covers volumes with AWS managed keys only; a customer managed key needs
    // these grants, limited to the platform's EBS key and to grants for AWS resources (EC2).
    this.ebsCsiRole = irsa('ebs-csi-role', props.ebsCsiRoleName, 'ebs-csi-controller-sa', 'service-role/AmazonEBSCSIDriverPolicy', [
      {
        Sid: 'GrantEbsKeyToEc2',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: [props.ebsKmsKeyArn],
        Condition: { Bool: { 'kms:GrantIsForAWSResource': ['true'] } },
      },
      {
        Sid: 'UseEbsKey',
        Effect: 'Allow',
        Action: USE_KEY_ACTIONS,
        Resource: [props.ebsKmsKeyArn],
      },
    ]);

    this.vpcCni = this.addon('vpc-cni', {
      serviceAccountRoleArn: this.vpcCniRole.arn,
      configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
      dependsOn: this.vpcCniRole.permissions,
    });
    this.kubeProxy = this.addon('kube-proxy');
    this.podIdentityAgent = this.addon('eks-pod-identity-agent');
    this.nodeDependencies = [this.vpcCni, this.kubeProxy];
  }

  /** CoreDNS and the EBS CSI driver, once the node groups exist. */
  addWorkloadAddons(nodeGroups: ITerraformDependable[]): { coredns: EksAddon; ebsCsiDriver: EksAddon } {
    return {
      coredns: this.addon('coredns', { configurationValues: JSON.stringify(COREDNS_CONFIGURATION), dependsOn: nodeGroups }),
      ebsCsiDriver: this.addon('aws-ebs-csi-driver', {
        serviceAccountRoleArn: this.ebsCsiRole.arn,
        configurationValues: JSON.stringify(EBS_CSI_CONFIGURATION),
        dependsOn: [...nodeGroups, ...this.ebsCsiRole.permissions],
      }),
    };
  }

  private addon(addonName: EksAddonName, options: AddonOptions = {}): EksAddon {
    return new EksAddon(this, addonName, {
      clusterName: this.props.clusterName,
      addonName,
      addonVersion: eksAddonVersions(this.props.kubernetesVersion)[addonName],
      // The cluster skips the self-managed bootstrap add-ons, so on create there is nothing to
      // adopt; on update the configuration here is the whole desired state, and objects edited by
      // hand are drift to undo (PRESERVE would keep them and let clusters diverge silently).
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      ...options,
    });
  }
}
