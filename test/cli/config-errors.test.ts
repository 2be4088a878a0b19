import * as fs from 'fs';
import * as path from 'path';
import { cli, fixtureProject, snapshotTree } from './helpers';

/**
 * Bad configurations that constructs used to find while the stacks were built (a plain Error:
 * "unexpected error", a stack trace and an empty cdktf.out/). Each ends in a configuration error
 * naming the file, field, value and fix, exit code 1, and leaves every file as it was.
 */
const SESSION = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';

/** What `init platform --yes --account-id 111122223333 -q` writes. */
const dir = fixtureProject('synthesized');
beforeAll(async () => {
  expect((await cli(['tenant', 'add', 'acme', '--tier', 'enterprise', '--dir', dir, '-q'])).status).toBe(0);
});

/** Edits one file, runs the command, and restores the file; returns the result and what changed on disk. */
async function withEdit(file: string, edit: (json: any) => void, args: string[]) {
  const original = fs.readFileSync(path.join(dir, file), 'utf8');
  const json = JSON.parse(original);
  edit(json);
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json, null, 2) + '\n');
  const before = snapshotTree(dir);
  try {
    const result = await cli([...args, '--dir', dir]);
    return { result, after: snapshotTree(dir), before };
  } finally {
    fs.writeFileSync(path.join(dir, file), original);
  }
}

function expectCleanError(result: { status: number | null; stdout: string; stderr: string }, lines: string[]) {
  expect(result.status).toBe(1);
  expect(result.stderr).toBe([...lines, 'Fix the values named above and run the command again; nothing was written.', ''].join('\n'));
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe('GIVEN a bad platform.json WHEN synthesizing THEN a clean error and nothing written', () => {
  test('an assumed-role session in eks.adminPrincipalArns', async () => {
    const { result, before, after } = await withEdit('platform.json', (p) => (p.eks.adminPrincipalArns = [SESSION]), ['synth']);
    expectCleanError(result, [
      'error: platform.json is invalid:',
      `  - eks.adminPrincipalArns.0: is an assumed-role session: EKS access entries need the role itself, e.g. ` +
        `arn:aws:iam::111122223333:role/Admin (got "${SESSION}")`,
    ]);
    expect(after).toEqual(before);
  });

  test('an ECR repository listed twice', async () => {
    const { result, before, after } = await withEdit('platform.json', (p) => (p.ecr = { repositories: ['api', 'api'] }), ['synth']);
    expectCleanError(result, ['error: platform.json is invalid:', '  - ecr.repositories.1: is listed twice: remove the duplicate (got "api")']);
    expect(after).toEqual(before);
  });

  test('a tier whose dedicated node group mixes Graviton and x86', async () => {
    const nodeGroup = { instanceTypes: ['m7g.xlarge', 'm6i.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2 };
    const { result, before, after } = await withEdit(
      'platform.json',
      (p) => (p.tiers = { enterprise: { nodes: { isolation: 'dedicated', nodeGroup } } }),
      ['synth'],
    );
    expectCleanError(result, [
      'error: platform.json is invalid:',
      '  - tiers.enterprise.nodes.nodeGroup.instanceTypes: mixes Graviton (m7g.xlarge) and x86 instance types: one AMI serves one ' +
        'architecture, use one or the other',
    ]);
    expect(after).toEqual(before);
  });
});

describe('GIVEN a bad tenant file WHEN synthesizing THEN a clean error and nothing written', () => {
  test('denyEgress false with allowEgress', async () => {
    const network = { denyEgress: false, allowEgress: [{ cidr: '203.0.113.0/24', ports: [443] }] };
    const { result, before, after } = await withEdit('tenants/acme.json', (t) => (t.overrides = { network }), ['synth']);
    expectCleanError(result, [
      'error: tenants/acme.json is invalid:',
      '  - overrides.network.allowEgress: has no effect with denyEgress false (all egress is allowed): remove allowEgress, or denyEgress to ' +
        'keep the default deny',
    ]);
    expect(after).toEqual(before);
  });
});

describe('GIVEN a bad flag WHEN adding THEN a clean error and no file', () => {
  test('tenant add with an assumed-role session as --admin-principal-arn', async () => {
    const before = snapshotTree(dir);
    const result = await cli(['tenant', 'add', 'beta', '--tier', 'starter', '--admin-principal-arn', SESSION, '--dir', dir]);
    expectCleanError(result, [
      'error: tenants/beta.json (from the given values) is invalid:',
      `  - adminPrincipalArn: is an assumed-role session: EKS access entries need the role itself, e.g. ` +
        `arn:aws:iam::111122223333:role/Admin (got "${SESSION}")`,
    ]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('init platform with an assumed-role session in --admin-principal-arns', async () => {
    const fresh = path.join(dir, 'fresh');
    const result = await cli(['init', 'platform', '--yes', '--account-id', '111122223333', '--admin-principal-arns', SESSION, '--dir', fresh]);
    expectCleanError(result, [
      'error: platform.json (from the given values) is invalid:',
      `  - eks.adminPrincipalArns.0: is an assumed-role session: EKS access entries need the role itself, e.g. ` +
        `arn:aws:iam::111122223333:role/Admin (got "${SESSION}")`,
    ]);
    expect(fs.existsSync(fresh)).toBe(false);
  });
});
