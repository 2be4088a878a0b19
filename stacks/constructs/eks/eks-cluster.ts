import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { HttpsFromVpcSecurityGroup } from '../network/https-from-vpc-security-group';
import { platformNames } from '../../../src/model/names';
import { POOL_LABEL, POOL_TAINTS, type NodePool } from '../../../src/model/node-pools';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { splitTenantCapacity } from '../../../src/model/spot-capacity';
import type { NodeGroupSize } from '../../../src/model/tiers';
import { clusterAdminAccess } from '../iam/cluster-access';
import { EksAddons } from './eks-addons';
import { NodeGroup, type CapacityType } from './node-group';
import { nodeRole } from './node-role';
import { ScheduledScaleDown } from './scheduled-scale-down';
import { policyDocument, servicePrincipalTrust } from '../iam/documents';
import { awsManagedPolicyArn } from '../iam/arns';

export interface EksClusterProps {
  readonly platform: PlatformSpec;
  readonly vpcId: string;
  /** Private subnets for the control plane ENIs and the nodes. */
  readonly privateSubnetIds: string[];
  /** Envelope encryption of Kubernetes secrets. */
  readonly secretsKmsKeyArn: string;
  /** The control plane log group. */
  readonly logsKmsKeyArn: string;
  /** Root volumes of the nodes. */
  readonly ebsKmsKeyArn: string;
}

/** Every control plane log type: audit and authenticator logs are what incident response needs. */
export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * The EKS control plane and what makes it usable: a private API endpoint (public only when
 * `eks.publicAccessCidrs` lists CIDRs, and then only for them), KMS envelope encryption of
 * secrets, all control plane logs, access entries (no aws-auth ConfigMap, and the creator gets
 * no implicit admin), the IAM OIDC provider for IRSA, a node role per pool, the `system` and `tenants`
 * managed node groups and the managed add-ons.
 */
export class EksCluster extends Construct {
  readonly cluster: EksClusterResource;
  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  /** The security group EKS creates for the control plane and the managed nodes. */
  readonly clusterSecurityGroupId: string;
  /** The group on the private API endpoint's ENIs (HTTPS from the VPC). */
  readonly apiSecurityGroupId: string;
  readonly oidcProviderArn: string;
  /** OIDC issuer without `https://`, as IAM condition keys spell it. */
  readonly oidcIssuer: string;
  readonly addons: EksAddons;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const { platform } = props;
    const eks = platform.eks;
    const names = platformNames(platform);
    const managedPolicy = (name: string) => awsManagedPolicyArn(names.partition, name);

    const clusterRole = new IamRole(this, 'cluster-role', {
      name: names.clusterRole,
      description: 'EKS control plane',
      assumeRolePolicy: servicePrincipalTrust('eks.amazonaws.com'),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: clusterRole.name,
      policyArn: managedPolicy('AmazonEKSClusterPolicy'),
    });
    // The key policy delegates to IAM; the control plane needs these to envelope-encrypt secrets.
    const clusterKmsPolicy = new IamRolePolicy(this, 'cluster-secrets-key', {
      name: 'secrets-envelope-encryption',
      role: clusterRole.name,
      policy: policyDocument([
        {
          Sid: 'EnvelopeEncryptSecrets',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: props.secretsKmsKeyArn,
        },
      ]),
    });

    // Created first: EKS would otherwise create it unencrypted and with no expiry.
    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: names.clusterLogGroup,
      kmsKeyId: props.logsKmsKeyArn,
      retentionInDays: eks.logRetentionDays,
    });

    // The private endpoint answers inside the VPC only; this group lets in-VPC clients (Terraform
    // runners, VPN, bastions) reach it. Every request still needs an access entry.
    const apiSecurityGroup = new HttpsFromVpcSecurityGroup(this, 'api-security-group', {
      name: names.clusterApiSecurityGroup,
      description: 'EKS private API endpoint: HTTPS from inside the VPC',
      ruleDescription: 'Kubernetes API (HTTPS) from the VPC',
      vpcId: props.vpcId,
      vpcCidr: platform.network.vpcCidr,
    });

    this.apiSecurityGroupId = apiSecurityGroup.id;
    const publicAccess = eks.publicAccessCidrs.length > 0;
    this.cluster = new EksClusterResource(this, 'cluster', {
      name: names.cluster,
      version: eks.version,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: props.privateSubnetIds,
        securityGroupIds: [apiSecurityGroup.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        // Without explicit CIDRs EKS would open a public endpoint to 0.0.0.0/0.
        ...(publicAccess ? { publicAccessCidrs: [...eks.publicAccessCidrs] } : {}),
      },
      // Stated explicitly: the EKS API defaults to EXTENDED, billed at 6x once the version leaves standard support.
      upgradePolicy: { supportType: eks.supportType },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: props.secretsKmsKeyArn } },
      enabledClusterLogTypes: [...CLUSTER_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // The managed add-ons below replace what EKS would install unmanaged.
      bootstrapSelfManagedAddons: false,
      deletionProtection: true,
      tags: { Name: names.cluster },
      dependsOn: [logGroup, clusterPolicy, clusterKmsPolicy],
    });
    this.clusterName = this.cluster.name;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    for (const principalArn of eks.adminPrincipalArns) {
      clusterAdminAccess(this, `admin-${principalKey(principalArn)}`, { clusterName: this.cluster.name, principalArn, partition: names.partition });
    }

    const issuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    // Provider 6 fetches the issuer's thumbprint itself (and IAM no longer checks it for EKS).
    const oidcProvider = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: issuerUrl,
      clientIdList: ['sts.amazonaws.com'],
      tags: { Name: names.clusterOidcProvider },
    });
    this.oidcProviderArn = oidcProvider.arn;
    this.oidcIssuer = Fn.replace(issuerUrl, 'https://', '');

    // One role per pool: the role a kubelet authenticates with says which pool's claims its Node may carry.
    const nodeRoles: Record<NodePool, ReturnType<typeof nodeRole>> = {
      system: nodeRole(this, {
        id: 'node-role',
        attachmentIdPrefix: 'node-',
        name: names.systemNodeRole,
        description: 'EKS managed nodes of the system pool (Pods get AWS credentials through IRSA, not this role)',
        partition: names.partition,
      }),
      tenants: nodeRole(this, {
        id: 'node-role-tenants',
        attachmentIdPrefix: 'node-tenants-',
        name: names.tenantsNodeRole,
        description: 'EKS managed nodes of the shared tenants pool (Pods get AWS credentials through IRSA, not this role)',
        partition: names.partition,
      }),
    };

    this.addons = new EksAddons(this, 'addons', {
      clusterName: this.cluster.name,
      kubernetesVersion: eks.version,
      vpcCniRoleName: names.vpcCniRole,
      partition: names.partition,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      ebsCsiRoleName: names.ebsCsiRole,
      ebsKmsKeyArn: props.ebsKmsKeyArn,
    });

    // eks.nodeGroups.tenants.spot moves its share of the tenants bounds to a Spot group of the same pool.
    const tenantCapacity = splitTenantCapacity(eks.nodeGroups.tenants);
    const groups: { id: string; name: string; pool: NodePool; size: NodeGroupSize; capacityType?: CapacityType }[] = [
      { id: 'node-group-system', name: 'system', pool: 'system', size: eks.nodeGroups.system },
      { id: 'node-group-tenants', name: 'tenants', pool: 'tenants', size: tenantCapacity.onDemand },
      ...(tenantCapacity.spot
        ? [
            {
              id: 'node-group-tenants-spot',
              name: names.tenantsSpotNodeGroup,
              pool: 'tenants' as const,
              size: tenantCapacity.spot,
              capacityType: 'SPOT' as const,
            },
          ]
        : []),
    ];
    const nodeGroups = groups.map(
      (group) =>
        new NodeGroup(this, group.id, {
          clusterName: this.cluster.name,
          kubernetesVersion: this.cluster.version,
          nodeGroupName: group.name,
          nodeRoleArn: nodeRoles[group.pool].role.arn,
          subnetIds: props.privateSubnetIds,
          size: group.size,
          capacityType: group.capacityType,
          labels: { [POOL_LABEL]: group.pool },
          // Only platform pods tolerate the system nodes' taint.
          taints: POOL_TAINTS[group.pool]?.map((t) => ({ ...t })),
          ebsKmsKeyArn: props.ebsKmsKeyArn,
          dependsOn: [...nodeRoles[group.pool].attachments, ...this.addons.nodeDependencies],
        }).nodeGroup,
    );
    this.addons.addWorkloadAddons(nodeGroups);
    // eks.nodeGroups.tenants.scaleDown lowers the On-Demand tenants group's minimum at night.
    const scaleDown = eks.nodeGroups.tenants.scaleDown;
    if (scaleDown)
      new ScheduledScaleDown(this, 'tenants-scale-down', {
        nodeGroup: nodeGroups[1],
        dayMinSize: tenantCapacity.onDemand.minSize,
        schedule: scaleDown,
      });
  }
}

/** A stable construct id part for an IAM principal: account, kind and name (order-independent). */
function principalKey(arn: string): string {
  const [, , , , account, resource] = arn.split(':');
  return `${account}-${resource}`.replace(/[^A-Za-z0-9-]/g, '-');
}
