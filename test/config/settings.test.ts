import { ConfigError, UsageError } from '../../src/model/errors';
import { parseJson } from '../../src/project/files';
import { replacingChanges } from '../../src/model/platform-changes';
import { platformSchema } from '../../src/model/platform-schema';
import { parseWith, resolveTenant } from '../../src/model/project';
import { closest, defaultAt, fieldProblem } from '../../src/model/schema-path';
import { applySetting, parseSetting } from '../../src/model/settings';
import { tenantChangeWarnings } from '../../src/model/tenant-changes';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers, tierSchema } from '../../src/model/tiers';
import { selectStacks } from '../../src/synth/select';
import { platformConfig, platformSpec } from '../util';

const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('GIVEN a --set path, WHEN it is read against the tier schema', () => {
  it.each([
    ['limitRange.maxCpu', '2', '2'],
    ['quota.memory', '4', '4'],
    ['quota.pods', '40', 40],
    ['requestsPerSecond', '2000', 2000],
    ['nodes.isolation', 'dedicated', 'dedicated'],
    ['nodes.nodeGroup.instanceTypes', '["m6i.4xlarge","m7i.4xlarge"]', ['m6i.4xlarge', 'm7i.4xlarge']],
    ['nodes.nodeGroup.instanceTypes.0', 'm6i.4xlarge', 'm6i.4xlarge'],
    ['nodes.nodeGroup.maxSize', '8', 8],
  ])('THEN %s=%s is typed as the schema wants it', (path, raw, value) => {
    expect(parseSetting(tierSchema, path, raw, '--set').value).toEqual(value);
  });

  it('THEN a value that does not fit stays text, for the schema to report', () => {
    expect(parseSetting(tierSchema, 'quota.pods', 'many', '--set').value).toBe('many');
  });

  it.each([
    ['quota.cpux', '  - quota.cpux: unknown field "cpux": did you mean "cpu"?'],
    ['qouta.cpu', '  - qouta: unknown field "qouta": did you mean "quota"?'],
    [
      'quota.zzzzzz',
      '  - quota.zzzzzz: unknown field "zzzzzz": use one of cpu, cpuLimit, memory, memoryLimit, pods, services, persistentVolumeClaims, ' +
        'storage, secrets, configMaps',
    ],
    ['requestsPerSecond.max', '  - requestsPerSecond: is a single value and has no field "max"'],
    [
      'nodes.nodeGroup.instanceTypes.first',
      '  - nodes.nodeGroup.instanceTypes: is a list: give an item by its index (0, 1, ...) or the whole list as JSON',
    ],
  ])('THEN %s is refused with a clear message', (path, line) => {
    const message = messageOf(() => parseSetting(tierSchema, path, '1', `--set ${path}=1`));
    expect(message).toBe(`--set ${path}=1 is invalid:\n${line}`);
  });

  it('THEN a path that is not field names (__proto__, an empty key) is a usage error', () => {
    expect(() => parseSetting(tierSchema, '__proto__.x', '1', '--set __proto__.x=1')).toThrow(UsageError);
    expect(messageOf(() => parseSetting(tierSchema, 'quota..cpu', '1', '--set quota..cpu=1'))).toBe(
      '--set quota..cpu=1: "quota..cpu" is not a dotted path of field names and list indexes, e.g. eks.nodeGroups.tenants.maxSize',
    );
  });

  it('THEN closest suggests only near names', () => {
    expect(closest('cpux', ['cpu', 'memory'])).toBe('cpu');
    expect(closest('xyz', ['cpu', 'memory'])).toBeUndefined();
  });
});

describe('GIVEN platform settings, WHEN applied to a platform.json', () => {
  it('THEN a missing object keeps its other defaults', () => {
    const raw = platformConfig() as Record<string, unknown>;
    applySetting(raw, parseSetting(platformSchema, 'eks.nodeGroups.tenants.maxSize', '20', 'set'), platformSchema.parse(raw));
    expect((raw as any).eks.nodeGroups).toEqual({
      system: { instanceTypes: ['m6i.large'], minSize: 2, desiredSize: 3, maxSize: 4 },
      tenants: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 20 },
    });
  });

  it('THEN lists are set as JSON', () => {
    const raw = platformConfig() as Record<string, unknown>;
    applySetting(
      raw,
      parseSetting(platformSchema, 'eks.adminPrincipalArns', '["arn:aws:iam::111122223333:role/ops"]', 'set'),
      platformSchema.parse(raw),
    );
    expect((raw as any).eks.adminPrincipalArns).toEqual(['arn:aws:iam::111122223333:role/ops']);
  });

  it('THEN account, region, name and network changes are named as replacing infrastructure, others are not', () => {
    const before = platformSpec();
    expect(replacingChanges(before, platformSpec({ database: { instanceClass: 'db.r6g.xlarge' } }))).toEqual([]);
    expect(replacingChanges(before, platformSpec({ aws: { region: 'eu-west-1', accountId: '222233334444' } })).map((c) => c.field)).toEqual([
      'aws.accountId',
    ]);
    expect(replacingChanges(before, platformSpec({ network: { vpcCidr: '10.1.0.0/16' } })).map((c) => c.field)).toEqual([
      'network.vpcCidr',
      'network.publicSubnets',
      'network.privateSubnets',
      'network.databaseSubnets',
    ]);
    expect(replacingChanges(before, platformSpec({ name: 'other' })).map((c) => c.field)).toEqual(['name']);
  });
});

describe('unknown fields in configuration files', () => {
  it('are named with the nearest known field in nested tier overrides of a tenant', () => {
    const platform = platformSpec();
    const file = parseWith(
      tenantSchema,
      { version: 1, id: 'acme', tier: 'starter', overrides: { tier: { quota: { cpux: '8' } } } },
      'tenants/acme.json',
    );
    expect(messageOf(() => resolveTenant(file, platform, resolveTiers(), 'tenants/acme.json'))).toBe(
      'tenants/acme.json is invalid:\n  - overrides.tier.quota.cpux: unknown field "cpux": did you mean "cpu"?',
    );
  });

  it('are named with their tier in platform.json tiers', () => {
    expect(messageOf(() => resolveTiers({ starter: { limitRange: { maxCPU: '2' } } }))).toMatch(/"path":\s*\[\s*"starter",\s*"limitRange"/);
  });

  it('are named with the nearest known field in platform.json', () => {
    expect(messageOf(() => parseWith(platformSchema, { ...platformConfig(), eks: { verison: '1.33' } }, 'platform.json'))).toBe(
      'platform.json is invalid:\n  - eks.verison: unknown field "verison": did you mean "version"?',
    );
  });
});

describe('invalid JSON', () => {
  it.each([
    ['{\n  "a": 1,\n  "b" 2\n}', 'line 3, column 7: Unexpected number'],
    ['{\n  "a": 1,\n}', 'line 3, column 1: Expected double-quoted property name'],
    ['{ "a": ', 'line 1, column 8: unexpected end of the file'],
  ])('is reported by line and column: %j', (text, where) => {
    expect(() => parseJson(text, 'tenants/acme.json')).toThrow(ConfigError);
    expect(messageOf(() => parseJson(text, 'tenants/acme.json'))).toBe(`tenants/acme.json is invalid:\n  - is not valid JSON at ${where}`);
  });
});

describe('tenant change warnings', () => {
  const platform = platformSpec();
  const tiers = resolveTiers();
  const spec = (raw: Record<string, unknown>) => resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', ...raw }), platform, tiers, 'acme');

  it('say a downgrade destroys the dedicated node group and lowers the quota', () => {
    expect(tenantChangeWarnings(spec({ tier: 'enterprise' }), spec({ tier: 'standard' }))).toEqual([
      "the next apply of tenant-acme destroys the tenant's dedicated node group: its pods are rescheduled onto the shared tenants nodes",
      'the quota is lowered (cpu 16 -> 4, cpuLimit 40 -> 10, memory 32Gi -> 8Gi, memoryLimit 80Gi -> 20Gi, pods 100 -> 25, services 50 -> ' +
        '15, persistentVolumeClaims 20 -> 5, storage 500Gi -> 50Gi, secrets 200 -> 50, configMaps 200 -> 50): running pods keep running, ' +
        'but Kubernetes admits no new pod or object while the tenant uses more than the new quota',
    ]);
  });

  it('compare quantities by value, not by text', () => {
    expect(
      tenantChangeWarnings(spec({ tier: 'standard' }), spec({ tier: 'standard', overrides: { tier: { quota: { memory: '8192Mi' } } } })),
    ).toEqual([]);
  });

  it('say nothing for an upgrade or a new tenant', () => {
    expect(tenantChangeWarnings(spec({ tier: 'starter' }), spec({ tier: 'standard' }))).toEqual([]);
    expect(tenantChangeWarnings(undefined, spec({ tier: 'enterprise' }))).toEqual([]);
  });

  it('say a purge drops the data, once', () => {
    const purged = spec({ tier: 'starter', status: 'removed', purgeData: true });
    expect(tenantChangeWarnings(spec({ tier: 'starter' }), purged)).toEqual([
      "the next apply of tenant-acme drops the tenant's database schema, shared-table rows and role: the data cannot be recovered afterwards",
    ]);
    expect(tenantChangeWarnings(purged, purged)).toEqual([]);
  });
});

describe('stack selection', () => {
  const all = ['platform', 'cluster', 'tenant-acme', 'tenant-beta'];
  it('takes names and globs, in apply order', () => {
    expect(selectStacks(all, ['tenant-*', 'platform'])).toEqual(['platform', 'tenant-acme', 'tenant-beta']);
    expect(selectStacks(all, ['cluster'])).toEqual(['cluster']);
  });
  it('refuses a pattern that matches nothing', () => {
    expect(messageOf(() => selectStacks(all, ['tenant-*', 'tenent-*']))).toBe('no stack matches "tenent-*"');
  });
});

describe('prompt answers checked by the schema of their field', () => {
  it('give the schema message for a wrong answer and nothing for a right one', () => {
    expect(fieldProblem(platformSchema, ['aws', 'accountId'], '1234')).toBe('must be a 12-digit AWS account id');
    expect(fieldProblem(platformSchema, ['aws', 'accountId'], '111122223333')).toBeUndefined();
    expect(fieldProblem(platformSchema, ['database', 'plannedTenants'], '-3')).toBe('Number must be greater than 0');
    expect(fieldProblem(platformSchema, ['eks', 'adminPrincipalArns', '0'], 'ops')).toBe('must be an IAM role or user ARN');
  });
  it('take their defaults from the schema', () => {
    expect(defaultAt(platformSchema, ['network', 'vpcCidr'])).toBe('10.0.0.0/16');
    expect(defaultAt(platformSchema, ['database', 'plannedTenants'])).toBe(500);
    expect(defaultAt(platformSchema, ['aws', 'accountId'])).toBeUndefined();
  });
});
