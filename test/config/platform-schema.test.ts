import { platformSchema, resolvePlatform } from '../../src/model/platform-schema';
import { platformConfig } from '../util';

const issuesOf = (overrides: object) => {
  const result = platformSchema.safeParse({ ...platformConfig(), ...overrides });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('platform.json schema', () => {
  it('accepts the minimal file and resolves every default once', () => {
    const spec = resolvePlatform(platformSchema.parse(platformConfig()));
    expect(spec.network).toMatchObject({
      vpcCidr: '10.0.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 'per-az',
    });
    expect(spec.eks).toMatchObject({ version: '1.34', supportType: 'STANDARD' });
    expect(spec.aws.existingServiceLinkedRoles).toEqual([]);
    expect(spec.database).toMatchObject({ instanceClass: 'db.r6g.large', engineVersion: '17', plannedTenants: 500 });
  });

  it('gives non-production environments a single NAT gateway', () => {
    expect(resolvePlatform(platformSchema.parse(platformConfig({ environment: 'staging' }))).network.natGateways).toBe('single');
  });

  it('keeps Terraform Cloud project names within 40 characters', () => {
    const aws = {
      region: 'eu-west-1',
      accountId: '111122223333',
      serviceAccounts: [{ name: 'analytics-reports', accountId: '222233334444', purpose: 'Reports' }],
    };
    expect(issuesOf({ aws, terraformCloud: { organization: 'acme', projectPrefix: 'acme-production-saas-eu' } })).toEqual([
      'terraformCloud.projectPrefix: Terraform Cloud project acme-production-saas-eu-analytics-reports is longer than 40 characters: set a ' +
        'shorter terraformCloud.projectPrefix or account name',
    ]);
    expect(issuesOf({ aws, terraformCloud: { organization: 'acme' } })).toEqual([]);
  });

  describe('terraformCloud.agents', () => {
    const tfcOf = (terraformCloud: object) => resolvePlatform(platformSchema.parse(platformConfig({ terraformCloud } as object))).terraformCloud;

    it('defaults to two m6i.large agents run by tenantctl when no agent pool is named', () => {
      expect(tfcOf({ organization: 'acme' })?.agents).toEqual({ instanceType: 'm6i.large', count: 2 });
      expect(tfcOf({ organization: 'acme', agents: { count: 4 } })?.agents).toEqual({ instanceType: 'm6i.large', count: 4 });
      expect(tfcOf({ organization: 'acme', agents: { instanceType: 'm7g.large' } })?.agents).toEqual({ instanceType: 'm7g.large', count: 2 });
    });

    it('creates no agents when an existing pool is named', () => {
      expect(tfcOf({ organization: 'acme', agentPool: 'shared' })).toMatchObject({ agentPool: 'shared', agents: undefined });
    });

    it.each([
      [
        { agentPool: 'shared', agents: { count: 2 } },
        /^terraformCloud\.agents: tenantctl creates agents only when no agentPool is named: remove terraformCloud\.agents to use the pool "shared"/,
      ],
      [{ agents: { count: 0 } }, /^terraformCloud\.agents\.count: Number must be greater than or equal to 1/],
      [{ agents: { instanceType: 'large' } }, /^terraformCloud\.agents\.instanceType: must be an EC2 instance type such as m6i\.large/],
      [{ agents: { size: 2 } }, /^terraformCloud\.agents: Unrecognized key/],
      [{ hostname: 'https://tfe.example.com' }, /^terraformCloud\.hostname: must be a host name such as app\.terraform\.io, without scheme or path/],
    ])('rejects %j', (terraformCloud, message) => {
      expect(issuesOf({ terraformCloud: { organization: 'acme', ...terraformCloud } })).toEqual([expect.stringMatching(message)]);
    });
  });

  it('keeps the name prefix short enough for load balancer names', () => {
    expect(issuesOf({ name: 'abcdefghijklmnop', environment: 'production' })).toEqual([
      expect.stringMatching(/^name: name and environment together \("abcdefghijklmnop-production"\) exceed 20 characters/),
    ]);
  });

  it.each([
    [{ network: { flowLogRetentionDays: 100 } }, /^network\.flowLogRetentionDays: must be a CloudWatch Logs retention/],
    [{ edge: { logRetentionDays: 100 } }, /^edge\.logRetentionDays: must be a CloudWatch Logs retention/],
    [{ network: { vpcCidr: '10.0.0.0/24' } }, /^network\.vpcCidr: 10\.0\.0\.0\/24 is too small for the default subnet plan/],
    [
      { database: { allocatedStorageGiB: 500, maxAllocatedStorageGiB: 100 } },
      /^database\.maxAllocatedStorageGiB: must be at least allocatedStorageGiB/,
    ],
    [
      { aws: { region: 'eu-west-1', accountId: '111122223333', existingServiceLinkedRoles: ['elasticloadbalancing.amazonaws.com'] } },
      /^aws\.existingServiceLinkedRoles\.0: is not a service whose role tenantctl creates: list only autoscaling\.amazonaws\.com$/,
    ],
    [
      {
        aws: {
          region: 'eu-west-1',
          accountId: '111122223333',
          existingServiceLinkedRoles: ['autoscaling.amazonaws.com', 'autoscaling.amazonaws.com'],
        },
      },
      /^aws\.existingServiceLinkedRoles\.1: is listed twice: give each service once$/,
    ],
    [
      { eks: { supportType: 'extended' } },
      /^eks\.supportType: must be STANDARD \(upgraded automatically at the end of standard support\) or EXTENDED/,
    ],
    [{ eks: { publicAccessCidrs: ['1.2.3.4/33'] } }, /^eks\.publicAccessCidrs\.0: 1\.2\.3\.4\/33 is not a valid IPv4 CIDR/],
    [{ suppressions: [{ rule: 'TC-ISO-001', resource: '*', reason: '' }] }, /^suppressions\.0\.reason: must explain/],
  ])('rejects %j', (overrides, message) => {
    expect(issuesOf(overrides)).toEqual([expect.stringMatching(message)]);
  });
});
