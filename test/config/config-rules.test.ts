import { ConfigError } from '../../src/model/errors';
import { iamPrincipalArnProblem } from '../../src/model/iam-principal';
import { platformSchema } from '../../src/model/platform-schema';
import { loadTiers, parseWith } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { platformConfig, platformSpec } from '../util';

/** The issues a configuration error reports, as `field: message (got value)` lines. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.field}: ${i.message}${i.value === undefined ? '' : ` (got ${JSON.stringify(i.value)})`}`);
  }
  throw new Error('no configuration error');
}

const SESSION = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';

describe('rules a construct used to find, checked in the configuration layer', () => {
  test('GIVEN an assumed-role session in eks.adminPrincipalArns THEN the field, the value and the role ARN to use', () => {
    const config = platformConfig({ eks: { adminPrincipalArns: [SESSION] } });
    expect(issuesOf(() => parseWith(platformSchema, config, 'platform.json'))).toEqual([
      `eks.adminPrincipalArns.0: is an assumed-role session: EKS access entries need the role itself, e.g. ` +
        `arn:aws:iam::111122223333:role/Admin (got "${SESSION}")`,
    ]);
  });

  test('GIVEN a principal listed twice THEN the second entry is named', () => {
    const role = 'arn:aws:iam::111122223333:role/Admin';
    expect(issuesOf(() => parseWith(platformSchema, platformConfig({ eks: { adminPrincipalArns: [role, role] } }), 'platform.json'))).toEqual([
      `eks.adminPrincipalArns.1: is listed twice: give each principal once (got "${role}")`,
    ]);
  });

  test('GIVEN an ECR repository listed twice THEN the duplicate is named', () => {
    expect(issuesOf(() => parseWith(platformSchema, platformConfig({ ecr: { repositories: ['api', 'web', 'api'] } }), 'platform.json'))).toEqual([
      'ecr.repositories.2: is listed twice: remove the duplicate (got "api")',
    ]);
  });

  test('GIVEN denyEgress false with allowEgress THEN allowEgress is named with the fix', () => {
    const tenant = {
      version: 1,
      id: 'both',
      tier: 'starter',
      overrides: { network: { denyEgress: false, allowEgress: [{ cidr: '203.0.113.0/24', ports: [443] }] } },
    };
    expect(issuesOf(() => parseWith(tenantSchema, tenant, 'tenants/both.json'))).toEqual([
      'overrides.network.allowEgress: has no effect with denyEgress false (all egress is allowed): remove allowEgress, or denyEgress to ' +
        'keep the default deny',
    ]);
  });

  test('GIVEN an assumed-role session as a tenant adminPrincipalArn THEN the same rule and fix as for the platform', () => {
    expect(
      issuesOf(() => parseWith(tenantSchema, { version: 1, id: 'acme', tier: 'starter', adminPrincipalArn: SESSION }, 'tenants/acme.json')),
    ).toEqual([
      `adminPrincipalArn: is an assumed-role session: EKS access entries need the role itself, e.g. arn:aws:iam::111122223333:role/Admin ` +
        `(got "${SESSION}")`,
    ]);
  });

  test('GIVEN a platform name with consecutive hyphens THEN the name is refused before the rate limit store derives an id from it', () => {
    expect(issuesOf(() => parseWith(platformSchema, platformConfig({ name: 'a--b' }), 'platform.json'))).toEqual([
      'name: contains consecutive hyphens: use single hyphens (got "a--b")',
    ]);
  });

  test('GIVEN a tier whose dedicated node group is sized the wrong way round THEN the same rule as for the platform node groups', () => {
    const nodeGroup = { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 2, maxSize: 4 };
    expect(issuesOf(() => loadTiers(platformSpec({ tiers: { enterprise: { nodes: { isolation: 'dedicated', nodeGroup } } } })))).toEqual([
      'tiers.enterprise.nodes.nodeGroup: needs minSize <= desiredSize <= maxSize, got 3 <= 2 <= 4',
    ]);
  });

  test(
    'GIVEN subnets that do not match the availability zones THEN the schema names the list (the network construct no longer ' + 'checks it again)',
    () => {
      const config = platformConfig({
        network: {
          vpcCidr: '10.0.0.0/16',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
          publicSubnets: ['10.0.0.0/24'],
          privateSubnets: ['10.0.16.0/20', '10.0.32.0/20'],
          databaseSubnets: ['10.0.1.0/24', '10.0.2.0/24'],
        },
      });
      expect(issuesOf(() => parseWith(platformSchema, config, 'platform.json'))).toEqual([
        'network.publicSubnets: needs one subnet per availability zone (2), got 1',
      ]);
    },
  );
});

describe('IAM principal ARNs', () => {
  it.each(['arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:role/teams/platform/Admin', 'arn:aws-cn:iam::111122223333:user/alice'])(
    'accepts %s',
    (arn) => expect(iamPrincipalArnProblem(arn)).toBeUndefined(),
  );
  it.each([
    [
      'arn:aws-us-gov:sts::111122223333:assumed-role/Ops/bob',
      'is an assumed-role session: EKS access entries need the role itself, e.g. arn:aws-us-gov:iam::111122223333:role/Ops',
    ],
    ['arn:aws:iam::111122223333:group/admins', 'must be an IAM role or user ARN'],
    ['ops', 'must be an IAM role or user ARN'],
  ])('rejects %s', (arn, problem) => expect(iamPrincipalArnProblem(arn)).toBe(problem));
});
