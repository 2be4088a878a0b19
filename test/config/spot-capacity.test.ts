import { platformSchema } from '../../src/model/platform-schema';
import { sameSizeInstanceTypes } from '../../src/model/instance-types';
import { splitTenantCapacity, type TenantNodesConfig } from '../../src/model/spot-capacity';
import { platformConfig, platformSpec } from '../util';

const tenants = (spot?: TenantNodesConfig['spot'], size = { minSize: 3, desiredSize: 3, maxSize: 12 }): TenantNodesConfig => ({
  instanceTypes: ['m6i.xlarge'],
  ...size,
  spot,
});
const SPOT_TYPES = ['m6i.xlarge', 'm6a.xlarge', 'm5.xlarge'];

describe('splitTenantCapacity', () => {
  test('without spot, or with a share of 0, everything stays On-Demand', () => {
    expect(splitTenantCapacity(tenants())).toEqual({ onDemand: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12 } });
    expect(splitTenantCapacity(tenants({ share: 0, instanceTypes: SPOT_TYPES }))).toEqual({
      onDemand: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12 },
    });
  });

  test.each([
    // share, [min, desired, max] -> Spot, On-Demand
    [0.5, [3, 3, 12], [1, 1, 6], [2, 2, 6]],
    [0.3, [3, 3, 12], [0, 0, 3], [3, 3, 9]],
    [0.75, [4, 6, 20], [3, 4, 15], [1, 2, 5]],
    [0.99, [0, 0, 2], [0, 0, 1], [0, 0, 1]],
  ])('share %d of %j gives Spot %j (rounded down) and On-Demand %j', (share, [minSize, desiredSize, maxSize], spot, onDemand) => {
    const split = splitTenantCapacity(tenants({ share, instanceTypes: SPOT_TYPES }, { minSize, desiredSize, maxSize }));
    expect(split.spot).toEqual({ instanceTypes: SPOT_TYPES, minSize: spot[0], desiredSize: spot[1], maxSize: spot[2] });
    expect(split.onDemand).toEqual({ instanceTypes: ['m6i.xlarge'], minSize: onDemand[0], desiredSize: onDemand[1], maxSize: onDemand[2] });
  });

  test('keeps min <= desired <= max in both groups, at least one On-Demand node at the maximum, and the totals', () => {
    const broken: string[] = [];
    for (let maxSize = 1; maxSize <= 20; maxSize++) {
      for (let minSize = 0; minSize <= maxSize; minSize++) {
        for (const desiredSize of [minSize, maxSize]) {
          for (const share of [0.01, 0.1, 0.25, 0.33, 0.5, 0.66, 0.9, 0.99]) {
            const { spot, onDemand } = splitTenantCapacity(tenants({ share, instanceTypes: SPOT_TYPES }, { minSize, desiredSize, maxSize }));
            const ordered = [spot!, onDemand].every((g) => g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize);
            const totals =
              spot!.minSize + onDemand.minSize === minSize &&
              spot!.desiredSize + onDemand.desiredSize === desiredSize &&
              spot!.maxSize + onDemand.maxSize === maxSize;
            if (!ordered || !totals || onDemand.maxSize < 1) broken.push(JSON.stringify({ share, minSize, desiredSize, maxSize, spot, onDemand }));
          }
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('platform.json eks.nodeGroups.tenants.spot', () => {
  const issuesOf = (spot: unknown, size: object = {}) => {
    const result = platformSchema.safeParse(
      platformConfig({
        eks: { nodeGroups: { tenants: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12, ...size, spot } } },
      } as never),
    );
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('is absent by default: every shared tenant node is On-Demand', () => {
    expect(platformSpec().eks.nodeGroups.tenants.spot).toBeUndefined();
  });

  test('accepts a share below 1 with two or more types of the tenants nodes size and architecture', () => {
    expect(issuesOf({ share: 0.5, instanceTypes: SPOT_TYPES })).toEqual([]);
    expect(issuesOf({ share: 0, instanceTypes: ['m6a.xlarge', 'm7i.xlarge'] })).toEqual([]);
  });

  test.each([
    [
      { share: 1, instanceTypes: SPOT_TYPES },
      'eks.nodeGroups.tenants.spot.share: must be below 1: part of the tenants nodes stays On-Demand, capacity AWS cannot reclaim at two ' +
        "minutes' notice",
    ],
    [{ share: -0.1, instanceTypes: SPOT_TYPES }, 'eks.nodeGroups.tenants.spot.share: must be between 0 and 1'],
    [
      { share: 0.5, instanceTypes: ['m6a.xlarge'] },
      'eks.nodeGroups.tenants.spot.instanceTypes: needs at least two instance types of one size: Spot is drawn from several pools, so that ' +
        'one pool running dry does not take all Spot nodes',
    ],
    [{ share: 0.5 }, 'eks.nodeGroups.tenants.spot.instanceTypes: Required'],
    [{ share: 0.5, instanceTypes: SPOT_TYPES, maxPrice: 1 }, "eks.nodeGroups.tenants.spot: Unrecognized key(s) in object: 'maxPrice'"],
  ])('rejects %j', (spot, message) => {
    expect(issuesOf(spot)).toEqual([message]);
  });

  test('rejects a share that buys no Spot node, saying what share would', () => {
    expect(issuesOf({ share: 0.05, instanceTypes: SPOT_TYPES })).toEqual([
      'eks.nodeGroups.tenants.spot.share: 0.05 of maxSize 12 is less than one Spot node (Spot gets share × size, rounded down): use a share ' +
        'of at least 0.09 or raise eks.nodeGroups.tenants.maxSize',
    ]);
  });

  test('rejects Spot types of another size or architecture, or unknown or repeated ones, naming types that fit', () => {
    const alike = `4 vCPU, 16 GiB and x86_64 like the tenants nodes (m6i.xlarge), e.g. ${sameSizeInstanceTypes('m6i.xlarge').join(', ')}`;
    expect(issuesOf({ share: 0.5, instanceTypes: ['m6a.xlarge', 'c6i.xlarge', 'm6g.xlarge', 'm6a.xlarge', 'x9z.xlarge'] })).toEqual([
      `eks.nodeGroups.tenants.spot.instanceTypes.1: c6i.xlarge has 4 vCPU, 8 GiB and is x86_64: Spot types need ${alike}`,
      `eks.nodeGroups.tenants.spot.instanceTypes.2: m6g.xlarge has 4 vCPU, 16 GiB and is arm64: Spot types need ${alike}`,
      'eks.nodeGroups.tenants.spot.instanceTypes.3: m6a.xlarge is listed twice: each type is one Spot pool',
      `eks.nodeGroups.tenants.spot.instanceTypes.4: tenantctl does not know the vCPU and memory of x9z.xlarge: Spot types need ${alike}`,
    ]);
    expect(sameSizeInstanceTypes('m6i.xlarge')).toEqual(['m5.xlarge', 'm6a.xlarge', 'm6i.xlarge', 'm7a.xlarge', 'm7i.xlarge']);
  });

  test('cannot check Spot types against tenants nodes of an unknown size, and says so', () => {
    expect(issuesOf({ share: 0.5, instanceTypes: SPOT_TYPES }, { instanceTypes: ['x9z.xlarge'] })).toEqual([
      'eks.nodeGroups.tenants.instanceTypes.0: tenantctl does not know the vCPU and memory of x9z.xlarge, so it cannot check the Spot types ' +
        'against it: use a general purpose, compute or memory optimised type such as m6i.xlarge',
    ]);
  });
});
