import { platformSchema, resolvePlatform } from '../../src/model/platform-schema';
import { loadTiers } from '../../src/model/project';
import { defaultPod, poolPlanProblems, podsAdmitted, tierAdmission, tierProblems } from '../../src/model/tier-capacity';
import { resolveTiers, tierCatalog } from '../../src/model/tiers';
import { platformConfig } from '../util';

describe('stock tiers admit the pods they promise, sidecar included', () => {
  // GIVEN a pod that declares no resources: the LimitRange defaults for its container, the tier's sidecar.
  test.each([
    // tier, pods promised, default pod (requests cpu/memory, limits cpu/memory in millicores / KiB), pods per budget
    [
      'starter',
      10,
      { 'requests.cpu': 75, 'requests.memory': 128 * 1024, 'limits.cpu': 200, 'limits.memory': 384 * 1024 },
      { 'requests.cpu': 13, 'limits.cpu': 10, 'requests.memory': 16, 'limits.memory': 10 },
    ],
    [
      'standard',
      25,
      { 'requests.cpu': 150, 'requests.memory': 192 * 1024, 'limits.cpu': 400, 'limits.memory': 768 * 1024 },
      { 'requests.cpu': 26, 'limits.cpu': 25, 'requests.memory': 42, 'limits.memory': 26 },
    ],
    [
      'enterprise',
      100,
      { 'requests.cpu': 150, 'requests.memory': 288 * 1024, 'limits.cpu': 400, 'limits.memory': 768 * 1024 },
      { 'requests.cpu': 106, 'limits.cpu': 100, 'requests.memory': 113, 'limits.memory': 106 },
    ],
  ] as const)('%s: %i default pods fit', (name, promised, pod, perResource) => {
    const tier = tierCatalog[name];
    expect(tier.quota.pods).toBe(promised);
    expect(defaultPod(tier)).toEqual(pod);
    // THEN every budget holds the promised pods, and the pod count is what limits the tier.
    expect(tierAdmission(tier)).toEqual({ pods: promised, limitedBy: 'pods', perResource });
    expect(tierProblems(tier)).toEqual([]);
  });

  test('the database plan (3 services x 2 replicas) runs in every stock tier, one connection per pod', () => {
    const plan = platformSchema.parse(platformConfig()).database;
    expect(plan.servicesPerTenant * plan.replicasPerService).toBe(6);
    for (const tier of Object.values(tierCatalog)) {
      expect(tierAdmission(tier).pods).toBeGreaterThanOrEqual(6);
      expect(tier.database.connectionLimit).toBeGreaterThanOrEqual(6);
    }
    expect(poolPlanProblems(plan, tierCatalog)).toEqual([]);
  });
});

describe('podsAdmitted', () => {
  const quota = { 'requests.cpu': 1000, 'limits.cpu': 1000, 'requests.memory': 2 * 1024 ** 2, 'limits.memory': 2 * 1024 ** 2 };

  test('GIVEN the former starter tier (500m sidecar limit on a 250m app) THEN one pod fits of the ten promised', () => {
    const pod = { 'requests.cpu': 100, 'limits.cpu': 750, 'requests.memory': 128 * 1024, 'limits.memory': 512 * 1024 };
    expect(podsAdmitted(quota, 10, pod)).toMatchObject({ pods: 1, limitedBy: 'limits.cpu' });
  });

  test('GIVEN a pod that asks nothing of a budget THEN that budget limits nothing', () => {
    expect(podsAdmitted(quota, 10, { 'requests.cpu': 0, 'limits.cpu': 100, 'requests.memory': 0, 'limits.memory': 0 })).toMatchObject({
      pods: 10,
      limitedBy: 'pods',
    });
  });
});

describe('tierProblems', () => {
  const starter = tierCatalog.starter;

  test('GIVEN limits below requests THEN each is named', () => {
    const tier = { ...starter, quota: { ...starter.quota, cpuLimit: '500m' }, sidecar: { ...starter.sidecar, limitMemory: '32Mi' } };
    expect(tierProblems(tier)).toEqual([
      { path: ['quota', 'cpuLimit'], message: '500m is below quota.cpu 1: a limit cannot be smaller than its request' },
      { path: ['sidecar', 'limitMemory'], message: '32Mi is below sidecar.requestMemory 64Mi: a limit cannot be smaller than its request' },
    ]);
  });

  test('GIVEN a sidecar larger than the LimitRange allows THEN it is rejected before any pod is', () => {
    const tier = { ...starter, sidecar: { ...starter.sidecar, limitCpu: '2' } };
    expect(tierProblems(tier)).toEqual([
      { path: ['sidecar', 'limitCpu'], message: '2 is above limitRange.maxCpu 1: the LimitRange would reject such a container' },
    ]);
  });

  test('GIVEN a memory budget too small THEN the message names it, the pod size and the value that fits', () => {
    const tier = { ...starter, quota: { ...starter.quota, memoryLimit: '2Gi' } };
    expect(tierProblems(tier)).toEqual([
      {
        path: ['quota', 'memoryLimit'],
        message:
          'quota.memoryLimit 2Gi admits 5 default pods of 384Mi limits.memory (app container 256Mi + sidecar 128Mi), fewer than quota.pods ' +
          '10: raise quota.memoryLimit to 3840Mi, or lower quota.pods or the default sizes',
      },
    ]);
  });
});

describe('pool plan', () => {
  test('GIVEN more replicas per tenant than a tier admits THEN platform.json is rejected at load, naming the tier', () => {
    const platform = resolvePlatform(platformSchema.parse(platformConfig({ database: { replicasPerService: 4 } } as never)));
    expect(() => loadTiers(platform)).toThrow(
      /database\.replicasPerService: servicesPerTenant x replicasPerService plans 12 pods per tenant, but tier starter admits only 10 default pods: lower the plan or raise tiers\.starter/,
    );
  });

  test('GIVEN a tier with fewer database connections than planned pods THEN it is named', () => {
    const tiers = resolveTiers({ tiny: { ...tierCatalog.starter, database: { ...tierCatalog.starter.database, connectionLimit: 4 } } });
    expect(poolPlanProblems({ servicesPerTenant: 3, replicasPerService: 2 }, tiers)).toEqual([
      {
        path: ['database', 'replicasPerService'],
        message:
          'servicesPerTenant x replicasPerService plans 6 pods per tenant, but tier tiny allows only 4 database connections: lower the plan ' +
          'or raise tiers.tiny',
      },
    ]);
  });
});
