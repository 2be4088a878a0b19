import { Testing } from 'cdktf';
import { dedicatedNodesOf, inventoryOf, PRICED_TYPES, UNPRICED_TYPES, type SynthesizedStack } from '../../src/model/cost/inventory';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers, tierCatalog } from '../../src/model/tiers';
import { ClusterStack } from '../../stacks/cluster-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';
import { synthPlatformStack } from './fixtures';

const tiers = resolveTiers();
const SPOT_AND_NIGHTS = {
  eks: {
    nodeGroups: {
      tenants: {
        instanceTypes: ['m6i.xlarge'],
        minSize: 4,
        desiredSize: 6,
        maxSize: 12,
        spot: { share: 0.5, instanceTypes: ['m6i.xlarge', 'm7i.xlarge'] },
        scaleDown: { minSize: 1, downAt: 20, upAt: 8, weekends: true, timeZone: 'Asia/Tokyo' },
      },
    },
  },
} as Partial<PlatformConfig>;
const CONFIGURATIONS: [string, Partial<PlatformConfig>][] = [
  ['the default platform', {}],
  ['Terraform Cloud with tenantctl agents', { terraformCloud: { organization: 'acme-corp' } } as Partial<PlatformConfig>],
  ['a domain (ACM certificate, Route 53 records)', { domain: 'saas.example.com' }],
  ['Spot tenants nodes and a scheduled scale-down', SPOT_AND_NIGHTS],
];

function synthTenantStack(tier: string): SynthesizedStack & { nodeGroupName: string } {
  const platform = platformSpec();
  const tenant = resolveTenant(tenantSchema.parse({ version: 1, id: `t-${tier}`, tier }), platform, tiers, `t-${tier}.json`);
  const json = JSON.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant })));
  return { name: tenant.names.stack, json, nodeGroupName: tenant.names.nodeGroup };
}

const awsTypes = (stack: SynthesizedStack) => Object.keys(stack.json.resource ?? {}).filter((t) => t.startsWith('aws_'));

describe('GIVEN the stacks tenantctl synthesizes', () => {
  describe.each(CONFIGURATIONS)('WHEN the platform stack of %s is priced', (_, overrides) => {
    const stack = synthPlatformStack(overrides);

    test('THEN every AWS resource type it creates is priced or known to carry no charge of its own', () => {
      expect(awsTypes(stack).filter((t) => !(t in PRICED_TYPES) && !(t in UNPRICED_TYPES))).toEqual([]);
      expect(inventoryOf([stack]).unknownTypes).toEqual([]);
    });

    test('THEN each priced resource of the JSON becomes an item (one per resource, per key, per node group)', () => {
      const { items } = inventoryOf([stack]);
      const count = (type: string) => Object.keys(stack.json.resource?.[type] ?? {}).length;
      expect(items.filter((i) => i.kind === 'kms-key')).toHaveLength(count('aws_kms_key'));
      expect(items.filter((i) => i.kind === 'nat-gateway')).toHaveLength(count('aws_nat_gateway'));
      expect(items.filter((i) => i.kind === 'nodes')).toHaveLength(count('aws_eks_node_group') + count('aws_autoscaling_group'));
      expect(items.filter((i) => i.kind === 'log-group')).toHaveLength(count('aws_cloudwatch_log_group'));
    });
  });

  test('WHEN a stack creates a resource type the estimate does not know THEN it is reported, not silently free', () => {
    const stack = synthPlatformStack();
    const withNew = { name: 'platform', json: { resource: { ...stack.json.resource, aws_opensearch_domain: { search: {} } } } };
    expect(inventoryOf([withNew]).unknownTypes).toEqual([{ type: 'aws_opensearch_domain', stacks: ['platform'] }]);
  });

  test('WHEN the platform has Spot and a schedule THEN the Spot group is priced as Spot and the schedule as free', () => {
    const { items } = inventoryOf([synthPlatformStack(SPOT_AND_NIGHTS)]);
    const nodes = items.filter((i) => i.kind === 'nodes').map((i) => i.kind === 'nodes' && [i.role, i.capacityType, i.desiredSize, i.rootVolumeGiB]);
    expect(nodes).toEqual([
      ['system', 'ON_DEMAND', 3, 50],
      ['tenants', 'SPOT', 3, 50],
      ['tenants', 'ON_DEMAND', 3, 50],
    ]);
  });

  test('WHEN the cluster stack is read THEN it creates nothing priced (IAM roles of its add-ons)', () => {
    const stack = { name: 'cluster', json: JSON.parse(Testing.synth(new ClusterStack(Testing.app(), { platform: platformSpec(), tiers }))) };
    expect(inventoryOf([stack])).toEqual({ items: [], unknownTypes: [] });
  });

  describe.each(Object.keys(tierCatalog))('WHEN a tenant stack of tier %s is read', (tier) => {
    const stack = synthTenantStack(tier);

    test("THEN what it creates priced is exactly its tier's dedicated node group, as the estimate derives it without synthesis", () => {
      const fromJson = inventoryOf([stack]);
      expect(fromJson.unknownTypes).toEqual([]);
      const derived = dedicatedNodesOf([{ stack: stack.name, nodeGroupName: stack.nodeGroupName, nodes: tiers[tier].nodes }], 50);
      const strip = (items: readonly object[]) => items.map((i) => ({ ...i, address: undefined }));
      expect(strip(fromJson.items)).toEqual(strip(derived));
    });
  });
});
