import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { EksCluster } from '../../stacks/constructs/eks/eks-cluster';
import { SynthJson, platformSpec } from '../util';

const KEYS = {
  secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/eks',
  logsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
  ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ebs',
};
const SPOT_TYPES = ['m6i.xlarge', 'm6a.xlarge', 'm5.xlarge', 'm7i.xlarge'];

function synth(eks: PlatformConfig['eks']) {
  const stack = new TerraformStack(Testing.app(), 'platform');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new EksCluster(stack, 'eks', {
    platform: platformSpec({ eks }),
    vpcId: 'vpc-0123',
    privateSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    ...KEYS,
  });
  return SynthJson.parse(Testing.synth(stack));
}

const groupNamed = (json: SynthJson, name: string) => {
  const [group] = json.where('aws_eks_node_group', (g) => g.node_group_name === name);
  return group;
};
const groupId = (json: SynthJson, name: string) => json.idOf('aws_eks_node_group', (g) => g.node_group_name === name);
/** The node-template tags on a group's ASG, `key -> value`. */
const templateTags = (json: SynthJson, name: string) =>
  Object.fromEntries(
    json
      .where(
        'aws_autoscaling_group_tag',
        (t) => t.autoscaling_group_name === `\${aws_eks_node_group.${groupId(json, name)}.resources[0].autoscaling_groups[0].name}`,
      )
      .map((t) => [t.tag.key, t.tag.value]),
  );

describe('Shared tenant nodes without Spot (default)', () => {
  const json = synth(undefined);

  test('are one On-Demand group: no Spot group', () => {
    expect(
      Object.values(json.resources('aws_eks_node_group'))
        .map((g) => [g.node_group_name, g.capacity_type])
        .sort(),
    ).toEqual([
      ['system', 'ON_DEMAND'],
      ['tenants', 'ON_DEMAND'],
    ]);
  });

  test('each group tells Cluster Autoscaler its pool and capacity type', () => {
    expect(templateTags(json, 'tenants')).toEqual({
      'k8s.io/cluster-autoscaler/node-template/label/tenantctl.io/pool': 'tenants',
      'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'ON_DEMAND',
    });
    expect(templateTags(json, 'system')).toEqual({
      'k8s.io/cluster-autoscaler/node-template/label/tenantctl.io/pool': 'system',
      'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'ON_DEMAND',
      // The system nodes' taint, so a group scaled to zero is known to take platform pods only.
      'k8s.io/cluster-autoscaler/node-template/taint/tenantctl.io/pool': 'system:NoSchedule',
    });
  });
});

describe('Shared tenant nodes with eks.nodeGroups.tenants.spot (half of 3/3/12)', () => {
  const json = synth({
    nodeGroups: {
      tenants: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12, spot: { share: 0.5, instanceTypes: SPOT_TYPES } },
    },
  });
  const onDemand = groupNamed(json, 'tenants');
  const spot = groupNamed(json, 'tenants-spot');

  test('add a Spot group of several types of one size beside the On-Demand one, in the same subnets with the same role', () => {
    expect(spot).toMatchObject({
      cluster_name: onDemand.cluster_name,
      node_role_arn: onDemand.node_role_arn,
      subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
      capacity_type: 'SPOT',
      ami_type: 'AL2023_x86_64_STANDARD',
      instance_types: SPOT_TYPES,
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
    });
    expect(onDemand).toMatchObject({ capacity_type: 'ON_DEMAND', instance_types: ['m6i.xlarge'] });
  });

  test('split the bounds: Spot gets the share, rounded down, On-Demand the rest', () => {
    expect(spot.scaling_config).toEqual({ min_size: 1, desired_size: 1, max_size: 6 });
    expect(onDemand.scaling_config).toEqual({ min_size: 2, desired_size: 2, max_size: 6 });
  });

  test('carry the same pool label, so Cluster Autoscaler balances them; EKS labels the capacity type', () => {
    expect(spot.labels).toEqual({ 'tenantctl.io/pool': 'tenants' });
    expect(onDemand.labels).toEqual({ 'tenantctl.io/pool': 'tenants' });
    expect(templateTags(json, 'tenants-spot')).toEqual({
      'k8s.io/cluster-autoscaler/node-template/label/tenantctl.io/pool': 'tenants',
      'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'SPOT',
    });
  });

  test('launch Spot nodes from their own template: IMDSv2 with hop limit 1, encrypted root volume', () => {
    const templateId = spot.launch_template.id.match(/^\$\{aws_launch_template\.([^.]+)\.id\}$/)[1];
    const template = json.resources('aws_launch_template')[templateId];
    expect(template.name).toBe(`\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.name}-tenants-spot`);
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings[0].ebs).toMatchObject({ encrypted: 'true', kms_key_id: KEYS.ebsKmsKeyArn });
  });

  test('start like every node group after the node role and the VPC CNI, and come before CoreDNS', () => {
    expect(spot.depends_on).toEqual(onDemand.depends_on);
    const [coredns] = json.where('aws_eks_addon', (a) => a.addon_name === 'coredns');
    expect(coredns.depends_on).toContain(`aws_eks_node_group.${groupId(json, 'tenants-spot')}`);
  });

  test('keep the construct ids of the existing groups (no replacement when Spot is turned on)', () => {
    expect(groupId(json, 'tenants')).toBe(groupId(synth(undefined), 'tenants'));
  });
});
