import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { EksCluster } from '../../stacks/constructs/eks/eks-cluster';
import { NodeGroup, type NodeGroupProps } from '../../stacks/constructs/eks/node-group';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { platformSpec, SynthJson } from '../util';

const SUBNETS = ['subnet-a', 'subnet-b', 'subnet-c'];
const KEYS = {
  secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/eks',
  logsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
  ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ebs',
};
const ADMIN = 'arn:aws:iam::111122223333:role/PlatformAdmins';

function synth(overrides: Partial<PlatformConfig> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const eks = new EksCluster(stack, 'eks', { platform: platformSpec(overrides), vpcId: 'vpc-0123', privateSubnetIds: SUBNETS, ...KEYS });
  for (const member of ['clusterName', 'endpoint', 'certificateAuthorityData', 'clusterSecurityGroupId', 'oidcProviderArn', 'oidcIssuer'] as const) {
    new TerraformOutput(stack, member, { value: eks[member] });
  }
  return SynthJson.parse(Testing.synth(stack));
}

const ref = (json: SynthJson, type: string, attr: string, predicate?: (r: any) => boolean) => `\${${type}.${json.idOf(type, predicate)}.${attr}}`;
const roleNamed = (json: SynthJson, name: string) => json.idOf('aws_iam_role', (r) => r.name === name);
const attachedPolicies = (json: SynthJson, roleId: string) =>
  json
    .where('aws_iam_role_policy_attachment', (a) => a.role === `\${aws_iam_role.${roleId}.name}`)
    .map((a) => a.policy_arn)
    .sort();
const dependsOnIds = (resource: any) => (resource.depends_on ?? []) as string[];

describe('EksCluster: control plane (defaults)', () => {
  const json = synth();
  const cluster = json.one('aws_eks_cluster');
  const clusterId = json.idOf('aws_eks_cluster');

  test('runs the configured Kubernetes version under the cluster role', () => {
    expect(cluster).toMatchObject({
      name: 'acme-prod',
      version: '1.34',
      role_arn: `\${aws_iam_role.${roleNamed(json, 'acme-prod-eks-cluster')}.arn}`,
    });
    const roleId = roleNamed(json, 'acme-prod-eks-cluster');
    expect(JSON.parse(json.resources('aws_iam_role')[roleId].assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(attachedPolicies(json, roleId)).toEqual(['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy']);
  });

  test('has a private API endpoint only, in the private subnets', () => {
    expect(cluster.vpc_config).toMatchObject({ subnet_ids: SUBNETS, endpoint_private_access: true, endpoint_public_access: false });
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
  });

  test('lets in-VPC clients reach the private endpoint on 443 only', () => {
    const sg = json.one('aws_security_group');
    expect(sg).toMatchObject({ name: 'acme-prod-eks-api', vpc_id: 'vpc-0123' });
    expect(cluster.vpc_config.security_group_ids).toEqual([ref(json, 'aws_security_group', 'id')]);
    expect(json.one('aws_vpc_security_group_ingress_rule')).toEqual({
      security_group_id: ref(json, 'aws_security_group', 'id'),
      description: 'Kubernetes API (HTTPS) from the VPC',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
      cidr_ipv4: '10.0.0.0/16',
    });
  });

  test('envelope-encrypts secrets with the EKS key, which the cluster role may use', () => {
    expect(cluster.encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: KEYS.secretsKmsKeyArn } });
    const [policy] = json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleNamed(json, 'acme-prod-eks-cluster')}.name}`);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'EnvelopeEncryptSecrets',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
        Resource: KEYS.secretsKmsKeyArn,
      },
    ]);
  });

  test('sends all five control plane log types to an encrypted log group created first', () => {
    expect(cluster.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    const [groupId, group] = Object.entries(json.resources('aws_cloudwatch_log_group')).find(([, g]) => g.name === '/aws/eks/acme-prod/cluster')!;
    expect(group).toEqual({ name: '/aws/eks/acme-prod/cluster', kms_key_id: KEYS.logsKmsKeyArn, retention_in_days: 365 });
    expect(dependsOnIds(cluster)).toContain(`aws_cloudwatch_log_group.${groupId}`);
  });

  test('authenticates through access entries only, with no implicit admin for the creator', () => {
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    expect(json.resources('aws_eks_access_entry')).toEqual({});
  });

  test('leaves extended support off: the control plane is upgraded when its version leaves standard support', () => {
    expect(cluster.upgrade_policy).toEqual({ support_type: 'STANDARD' });
  });

  test('is protected against deletion and lets the managed add-ons replace the bootstrap ones', () => {
    expect(cluster).toMatchObject({ deletion_protection: true, bootstrap_self_managed_addons: false });
  });

  test('exposes the cluster attributes as references', () => {
    const out = json.json.output;
    expect(out.clusterName.value).toBe(`\${aws_eks_cluster.${clusterId}.name}`);
    expect(out.endpoint.value).toBe(`\${aws_eks_cluster.${clusterId}.endpoint}`);
    expect(out.certificateAuthorityData.value).toBe(`\${aws_eks_cluster.${clusterId}.certificate_authority[0].data}`);
    expect(out.clusterSecurityGroupId.value).toBe(`\${aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`);
  });
});

describe('EksCluster: public endpoint and admins when configured', () => {
  const json = synth({
    eks: { publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'], adminPrincipalArns: [ADMIN, 'arn:aws:iam::111122223333:user/ops/alice'] },
  });
  const cluster = json.one('aws_eks_cluster');

  test('keeps the version in extended support when eks.supportType is EXTENDED', () => {
    expect(synth({ eks: { supportType: 'EXTENDED' } }).one('aws_eks_cluster').upgrade_policy).toEqual({ support_type: 'EXTENDED' });
  });

  test('opens the public endpoint to exactly the listed CIDRs, keeping the private one', () => {
    expect(cluster.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24', '198.51.100.7/32'],
    });
  });

  test('gives each admin principal an access entry with the cluster admin policy on the whole cluster', () => {
    const entries = Object.entries(json.resources('aws_eks_access_entry'));
    expect(entries.map(([, e]) => e.principal_arn).sort()).toEqual([ADMIN, 'arn:aws:iam::111122223333:user/ops/alice'].sort());
    const associations = Object.values(json.resources('aws_eks_access_policy_association'));
    expect(associations).toHaveLength(2);
    for (const [entryId, entry] of entries) {
      expect(entry).toMatchObject({ cluster_name: ref(json, 'aws_eks_cluster', 'name'), type: 'STANDARD' });
      const [association] = associations.filter((a) => a.principal_arn === `\${aws_eks_access_entry.${entryId}.principal_arn}`);
      expect(association).toMatchObject({
        cluster_name: ref(json, 'aws_eks_cluster', 'name'),
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
    }
  });
});

describe('EksCluster: IRSA', () => {
  const json = synth();
  const clusterId = json.idOf('aws_eks_cluster');
  const issuer = `aws_eks_cluster.${clusterId}.identity[0].oidc[0].issuer`;

  test("registers the cluster's OIDC issuer as an IAM identity provider for STS", () => {
    const provider = json.one('aws_iam_openid_connect_provider');
    expect(provider).toMatchObject({ url: `\${${issuer}}`, client_id_list: ['sts.amazonaws.com'] });
    expect(provider.thumbprint_list).toBeUndefined();
    expect(json.json.output.oidcProviderArn.value).toBe(ref(json, 'aws_iam_openid_connect_provider', 'arn'));
  });

  test('exposes the issuer without https://', () => {
    expect(json.json.output.oidcIssuer.value).toBe(`\${replace(${issuer}, "https://", "")}`);
  });
});

describe('EksCluster: nodes', () => {
  const json = synth();
  const nodeRoleIds = { system: roleNamed(json, 'acme-prod-eks-node'), tenants: roleNamed(json, 'acme-prod-eks-node-tenants') };
  const groups = Object.entries(json.resources('aws_eks_node_group'));
  const groupNamed = (name: string) => groups.find(([, g]) => g.node_group_name === name)!;

  test('gives each pool its own node role, with the worker, registry pull and SSM policies, but not the CNI policy', () => {
    for (const roleId of Object.values(nodeRoleIds)) {
      expect(JSON.parse(json.resources('aws_iam_role')[roleId].assume_role_policy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      expect(attachedPolicies(json, roleId)).toEqual([
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      ]);
    }
    // EKS creates the EC2_LINUX access entries of managed node group roles itself.
    expect(json.where('aws_eks_access_entry', (e) => e.type === 'EC2_LINUX')).toEqual([]);
  });

  test('keeps the Terraform address of the system node role of earlier versions, so an upgrade keeps the system nodes', () => {
    expect(nodeRoleIds.system).toMatch(/^eks_node-role_/);
  });

  test('creates the system and tenants node groups from eks.nodeGroups, labelled by pool, in the private subnets', () => {
    expect(groups.map(([, g]) => g.node_group_name).sort()).toEqual(['system', 'tenants']);
    expect(groupNamed('system')[1]).toMatchObject({
      cluster_name: ref(json, 'aws_eks_cluster', 'name'),
      node_role_arn: `\${aws_iam_role.${nodeRoleIds.system}.arn}`,
      subnet_ids: SUBNETS,
      instance_types: ['m6i.large'],
      scaling_config: { min_size: 2, desired_size: 3, max_size: 4 },
      labels: { 'tenantctl.io/pool': 'system' },
    });
    expect(groupNamed('tenants')[1]).toMatchObject({
      node_role_arn: `\${aws_iam_role.${nodeRoleIds.tenants}.arn}`,
      instance_types: ['m6i.xlarge'],
      scaling_config: { min_size: 3, desired_size: 3, max_size: 12 },
      labels: { 'tenantctl.io/pool': 'tenants' },
    });
  });

  test('starts nodes only once their node role policies and the VPC CNI add-on are in place', () => {
    const attachmentIds = (roleId: string) =>
      Object.entries(json.resources('aws_iam_role_policy_attachment'))
        .filter(([, a]) => a.role === `\${aws_iam_role.${roleId}.name}`)
        .map(([id]) => `aws_iam_role_policy_attachment.${id}`);
    const cniId = `aws_eks_addon.${json.idOf('aws_eks_addon', (a) => a.addon_name === 'vpc-cni')}`;
    for (const [, group] of groups) {
      const pool = group.labels['tenantctl.io/pool'] as 'system' | 'tenants';
      expect(dependsOnIds(group)).toEqual(expect.arrayContaining([...attachmentIds(nodeRoleIds[pool]), cniId]));
    }
  });

  test('launches nodes from a template with IMDSv2 required and a hop limit of 1', () => {
    const templates = Object.entries(json.resources('aws_launch_template'));
    expect(templates.map(([, t]) => t.name).sort()).toEqual([
      `${ref(json, 'aws_eks_cluster', 'name')}-system`,
      `${ref(json, 'aws_eks_cluster', 'name')}-tenants`,
    ]);
    for (const [templateId, template] of templates) {
      expect(template.metadata_options).toEqual({
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      });
      const [, group] = groups.find(([, g]) => g.launch_template.id === `\${aws_launch_template.${templateId}.id}`)!;
      expect(group.launch_template.version).toBe(`\${aws_launch_template.${templateId}.latest_version}`);
    }
  });
});

describe('EksCluster: add-ons', () => {
  const json = synth();
  const addons = Object.values(json.resources('aws_eks_addon'));
  const addon = (name: string) => addons.find((a) => a.addon_name === name)!;
  const nodeGroupIds = Object.keys(json.resources('aws_eks_node_group')).map((id) => `aws_eks_node_group.${id}`);
  const issuerExpr = `\${replace(aws_eks_cluster.${json.idOf('aws_eks_cluster')}.identity[0].oidc[0].issuer, "https://", "")}`;
  /** The trust conditions as Terraform evaluates them, with the issuer interpolated. */
  const trustOf = (roleName: string) => {
    const text: string = json.resources('aws_iam_role')[roleNamed(json, roleName)].assume_role_policy;
    const doc = JSON.parse(text.split(issuerExpr).join('oidc.example/id/X'));
    expect(doc.Statement[0]).toMatchObject({
      Principal: { Federated: ref(json, 'aws_iam_openid_connect_provider', 'arn') },
      Action: 'sts:AssumeRoleWithWebIdentity',
    });
    return doc.Statement[0].Condition.StringEquals;
  };

  test('installs VPC CNI, CoreDNS, kube-proxy, EBS CSI and the Pod Identity agent, overwriting conflicts', () => {
    expect(addons.map((a) => a.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    for (const a of addons)
      expect(a).toMatchObject({
        cluster_name: ref(json, 'aws_eks_cluster', 'name'),
        resolve_conflicts_on_create: 'OVERWRITE',
        resolve_conflicts_on_update: 'OVERWRITE',
      });
  });

  test('pins every add-on to the build of the 1.34 row of the version table', () => {
    expect(Object.fromEntries(addons.map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'vpc-cni': 'v1.22.4-eksbuild.3',
      'kube-proxy': 'v1.34.6-eksbuild.13',
      'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
      coredns: 'v1.13.2-eksbuild.11',
      'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
    });
  });

  test('moves kube-proxy and CoreDNS with the cluster version', () => {
    const older = Object.values(synth({ eks: { version: '1.31' } }).resources('aws_eks_addon'));
    const versionOf = (name: string) => older.find((a) => a.addon_name === name)!.addon_version;
    expect(versionOf('kube-proxy')).toBe('v1.31.14-eksbuild.20');
    expect(versionOf('coredns')).toBe('v1.11.4-eksbuild.40');
  });

  test('turns on network policy enforcement in the VPC CNI', () => {
    expect(JSON.parse(addon('vpc-cni').configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('gives the VPC CNI an IRSA role with the CNI policy, trusted by kube-system/aws-node only', () => {
    const roleId = roleNamed(json, 'acme-prod-vpc-cni');
    expect(addon('vpc-cni').service_account_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    expect(attachedPolicies(json, roleId)).toEqual(['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy']);
    expect(trustOf('acme-prod-vpc-cni')).toEqual({
      'oidc.example/id/X:sub': 'system:serviceaccount:kube-system:aws-node',
      'oidc.example/id/X:aud': 'sts.amazonaws.com',
    });
  });

  test('gives the EBS CSI driver an IRSA role with its policy and use of the EBS key only', () => {
    const roleId = roleNamed(json, 'acme-prod-ebs-csi');
    expect(addon('aws-ebs-csi-driver').service_account_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    expect(attachedPolicies(json, roleId)).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy']);
    expect(trustOf('acme-prod-ebs-csi')).toEqual({
      'oidc.example/id/X:sub': 'system:serviceaccount:kube-system:ebs-csi-controller-sa',
      'oidc.example/id/X:aud': 'sts.amazonaws.com',
    });
    const [policy] = json.where('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`);
    const statements = JSON.parse(policy.policy).Statement;
    for (const s of statements) expect(s.Resource).toEqual([KEYS.ebsKmsKeyArn]);
    expect(statements[0]).toMatchObject({
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Condition: { Bool: { 'kms:GrantIsForAWSResource': ['true'] } },
    });
  });

  test('installs CoreDNS and the EBS CSI driver after the node groups, the node add-ons before', () => {
    expect(dependsOnIds(addon('coredns'))).toEqual(expect.arrayContaining(nodeGroupIds));
    expect(dependsOnIds(addon('aws-ebs-csi-driver'))).toEqual(expect.arrayContaining(nodeGroupIds));
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      expect(dependsOnIds(addon(name)).filter((d) => d.startsWith('aws_eks_node_group.'))).toEqual([]);
    }
  });
});

describe('NodeGroup (standalone, as the tenant stack uses it)', () => {
  const base: NodeGroupProps = {
    clusterName: 'acme-prod',
    kubernetesVersion: '1.34',
    nodeGroupName: 'tenant-acme',
    nodeRoleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-node',
    subnetIds: SUBNETS,
    size: { instanceTypes: ['m6i.2xlarge'], minSize: 2, desiredSize: 2, maxSize: 4 },
    labels: { 'tenantctl.io/tenant': 'acme' },
    taints: [{ key: 'tenantctl.io/tenant', value: 'acme', effect: 'NO_SCHEDULE' }],
    ebsKmsKeyArn: KEYS.ebsKmsKeyArn,
  };
  const synthGroup = (props: Partial<NodeGroupProps> = {}) => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new NodeGroup(stack, 'nodes', { ...base, ...props });
    return SynthJson.parse(Testing.synth(stack));
  };
  const json = synthGroup();
  const group = json.one('aws_eks_node_group');
  const template = json.one('aws_launch_template');

  test('sizes the group from the tier, one node at a time on updates, leaving desired size to the autoscaler', () => {
    expect(group).toMatchObject({
      cluster_name: 'acme-prod',
      node_group_name: 'tenant-acme',
      ami_type: 'AL2023_x86_64_STANDARD',
      capacity_type: 'ON_DEMAND',
      instance_types: ['m6i.2xlarge'],
      scaling_config: { min_size: 2, desired_size: 2, max_size: 4 },
      update_config: { max_unavailable: 1 },
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
    });
  });

  test('applies labels and taints', () => {
    expect(group.labels).toEqual({ 'tenantctl.io/tenant': 'acme' });
    expect(group.taint).toEqual([{ key: 'tenantctl.io/tenant', value: 'acme', effect: 'NO_SCHEDULE' }]);
  });

  test('encrypts the gp3 root volume with the EBS key and requires IMDSv2 with hop limit 1', () => {
    expect(template.name).toBe('acme-prod-tenant-acme');
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: { volume_size: 50, volume_type: 'gp3', encrypted: 'true', kms_key_id: KEYS.ebsKmsKeyArn, delete_on_termination: 'true' },
      },
    ]);
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    // No network interface overrides: nodes take the private subnets' setting (no public IPs).
    expect(template.network_interfaces).toBeUndefined();
    expect(group.disk_size).toBeUndefined();
  });

  test('picks the ARM AMI for Graviton instance types', () => {
    const arm = synthGroup({ size: { instanceTypes: ['m7g.xlarge', 'c7gn.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2 } });
    expect(arm.one('aws_eks_node_group').ami_type).toBe('AL2023_ARM_64_STANDARD');
  });

  test('rejects mixed architectures and inconsistent sizes', () => {
    expect(() => synthGroup({ size: { instanceTypes: ['m7g.xlarge', 'm6i.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2 } })).toThrow(
      /mixes Graviton \(m7g.xlarge\) and x86/,
    );
    expect(() => synthGroup({ size: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 2, maxSize: 4 } })).toThrow(
      'node group tenant-acme needs minSize <= desiredSize <= maxSize, got 3 <= 2 <= 4',
    );
  });
});
