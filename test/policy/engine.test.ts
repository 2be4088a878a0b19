import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { register } from '../../src/cli/validate';
import { ConfigError } from '../../src/model/errors';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { loadPlatform, loadProject } from '../../src/project/project';
import { applySuppressions, configOf, globMatch, loadStacks, readConfig, runRules, validate } from '../../src/policy/engine';
import { formatHuman, formatJson, formatSarif, lineOf } from '../../src/policy/format';
import type { StackDocument } from '../../src/policy/types';
import { synthesize } from '../../src/synth/synthesize';
import { platformConfig, tempDir } from '../util';
import { baseline, body, policyJson, triples, type Fixture } from './fixtures';

const DB = 'aws_db_instance.database_instance_8B';
const EKS = 'aws_eks_cluster.eks_cluster_6F';

/** Writes stacks in cdktf's layout, pretty-printed as cdktf does. */
function writeOut(dir: string, stacks: Fixture[], manifest = true): string {
  const out = path.join(dir, 'cdktf.out');
  for (const s of stacks) {
    fs.mkdirSync(path.join(out, 'stacks', s.name), { recursive: true });
    fs.writeFileSync(path.join(out, 'stacks', s.name, 'cdk.tf.json'), JSON.stringify(s.json, null, 2));
  }
  if (manifest) {
    const entries = stacks.map((s) => [s.name, { name: s.name, synthesizedStackPath: `stacks/${s.name}/cdk.tf.json` }]);
    fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: Object.fromEntries(entries) }));
  }
  return out;
}

/**
 * Writes fixtures as the synth of a project made from platformConfig() (`validate --from` refuses
 * any other output): with the stacks' default tags naming platform, environment and stack, as
 * TenantctlStack writes them, and the cluster stack every project has.
 */
function writeSynth(dir: string, stacks: Fixture[]): string {
  const { name, environment } = platformConfig();
  const dressed = stacks.map((s) => {
    const json = structuredClone(s.json);
    for (const aws of json.provider?.aws ?? []) {
      for (const d of aws.default_tags ?? [])
        d.tags = { ...d.tags, 'tenantctl:platform': name, 'tenantctl:environment': environment, 'tenantctl:stack': s.name };
    }
    return { ...s, json };
  });
  const cluster = { name: 'cluster', json: {} } as Fixture;
  return writeOut(dir, [dressed[0], cluster, ...dressed.slice(1)]);
}

/** The tiers of a project whose synth the hand-written fixtures stand for: they hold no user pool and no identity objects. */
const WITHOUT_IDENTITY = {
  tiers: { enterprise: { identity: 'none' }, standard: { identity: 'none' }, starter: { identity: 'none' } },
} as Partial<PlatformConfig>;

/** A project directory with platform.json and tenants/<id>.json. */
function writeProject(dir: string, platform: object, tenants: Record<string, object>): string {
  fs.mkdirSync(path.join(dir, 'tenants'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'platform.json'), JSON.stringify(platform, null, 2));
  for (const [id, t] of Object.entries(tenants))
    fs.writeFileSync(path.join(dir, 'tenants', `${id}.json`), JSON.stringify({ version: 1, id, ...t }, null, 2));
  return dir;
}

/** Runs `tenantctl validate ...` in-process; returns stdout and the exit code it set. */
async function runValidate(args: string[]): Promise<{ stdout: string; code: number }> {
  const program = new Command('tenantctl').exitOverride();
  register(program);
  let stdout = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => ((stdout += String(chunk)), true));
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['validate', ...args], { from: 'user' });
    return { stdout, code: typeof process.exitCode === 'number' ? process.exitCode : 0 };
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
    process.exitCode = undefined;
  }
}

describe('loadStacks', () => {
  const dir = tempDir('tenantctl-policy-');

  test('GIVEN a cdktf.out with manifest.json THEN it reads every stack with its display path', () => {
    const b = baseline();
    const out = writeOut(path.join(dir, 'a'), [b.platform, b.acme]);
    const stacks = loadStacks(out, 'cdktf.out');
    expect(stacks.map((s) => [s.name, s.file])).toEqual([
      ['platform', 'cdktf.out/stacks/platform/cdk.tf.json'],
      ['tenant-acme', 'cdktf.out/stacks/tenant-acme/cdk.tf.json'],
    ]);
    expect(stacks[0].json.resource?.aws_db_instance).toBeDefined();
  });

  test('GIVEN a cdktf.out without manifest.json THEN it reads stacks/<name>/cdk.tf.json', () => {
    const b = baseline();
    expect(loadStacks(writeOut(path.join(dir, 'b'), [b.acme, b.platform], false)).map((s) => s.name)).toEqual(['platform', 'tenant-acme']);
  });

  test('GIVEN a missing or empty directory THEN it fails with a hint', () => {
    expect(() => loadStacks(path.join(dir, 'none'))).toThrow(/does not exist/);
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => loadStacks(path.join(dir, 'empty'))).toThrow(/holds no synthesized stacks/);
  });
});

describe('suppressions', () => {
  const broken = () => {
    const b = baseline();
    body(b.platform, DB).multi_az = false;
    return [b.platform, b.acme];
  };
  const reason = 'Staging database: single AZ accepted to save cost';

  test('GIVEN a suppression of the exact address THEN the finding is reported as suppressed and the run passes', () => {
    const report = validate({ stacks: broken(), config: { tiers: [], tenants: [], suppressions: [{ rule: 'TC-PLT-009', resource: DB, reason }] } });
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'TC-PLT-009', address: DB, suppressed: { reason } })]);
    expect(report.summary).toEqual({ errors: 0, warnings: 0, suppressed: 1 });
    expect(report.ok).toBe(true);
  });

  test.each([
    ['a glob address', { resource: 'aws_db_instance.*' }],
    ['the stack name as resource', { resource: 'platform' }],
    ['a matching stack', { resource: '*', stack: 'plat*' }],
  ])('GIVEN %s THEN it matches', (_what, s) => {
    const [f] = applySuppressions(runRules({ stacks: broken() }), [{ rule: 'TC-PLT-009', reason, ...s }]);
    expect(f.suppressed).toEqual({ reason });
  });

  test.each([
    ['another rule', { rule: 'TC-PLT-010', resource: DB }],
    ['another stack', { rule: 'TC-PLT-009', resource: DB, stack: 'tenant-acme' }],
    ['another address', { rule: 'TC-PLT-009', resource: 'aws_db_instance.other' }],
  ])('GIVEN a suppression of %s THEN the finding stays and the suppression is reported unused', (_what, s) => {
    const report = validate({ stacks: broken(), config: { tiers: [], tenants: [], suppressions: [{ reason, ...s }] } });
    expect(triples(report.findings)).toEqual([
      ['TC-PLT-009', 'platform', DB],
      ['TC-SUP-001', undefined, 'suppressions[0]'],
    ]);
    expect(report.findings[1]).toMatchObject({ severity: 'warning', file: 'platform.json' });
    expect(report.ok).toBe(false);
  });

  test('glob: * spans dots and slashes, the rest is literal', () => {
    expect(globMatch('aws_*.db_*', 'aws_db_instance.db_main')).toBe(true);
    expect(globMatch('aws_db_instance.a', 'aws_db_instanceXa')).toBe(false);
    expect(globMatch('tenant-*', 'tenant-acme')).toBe(true);
  });

  describe('GIVEN a suppression without a reason in platform.json', () => {
    const dir = tempDir('tenantctl-policy-');
    test.each([
      ['no reason', { rule: 'TC-PLT-007', resource: EKS }, /suppressions\.0\.reason: is required/],
      ['a too short reason', { rule: 'TC-PLT-007', resource: EKS, reason: 'ok' }, /suppressions\.0\.reason: must explain/],
    ])('%s THEN loading the config fails and names the field', (name, suppression, message) => {
      const project = writeProject(path.join(dir, name.replace(/ /g, '-')), platformConfig({ suppressions: [suppression as any] }), {});
      expect(() => loadPlatform(project)).toThrow(ConfigError);
      expect(() => loadPlatform(project)).toThrow(message);
      expect(() => readConfig(project)).toThrow(message);
    });
  });
});

describe('output formats', () => {
  const b = baseline();
  body(b.platform, DB).multi_az = false;
  body(b.platform, 'aws_ecr_repository.registry_repository-api_69').image_tag_mutability = 'MUTABLE';
  const stacks: StackDocument[] = [b.platform, b.acme].map((s) => ({ ...s, text: JSON.stringify(s.json, null, 2) }));
  const report = validate({
    stacks,
    config: { tiers: [], tenants: [], suppressions: [{ rule: 'TC-PLT-006', resource: '*', reason: 'Tags are rewritten by the release job' }] },
  });

  test('human: findings grouped by stack with rule, severity, address, message and fix', () => {
    const text = formatHuman(report);
    expect(text.startsWith('platform\n')).toBe(true);
    expect(text).toContain(
      '  error      TC-PLT-009  aws_db_instance.database_instance_8B\n             database acme-prod-postgres is single-AZ\n' +
        '             fix: Set multi_az = true.',
    );
    expect(text).toContain('  suppressed TC-PLT-006  aws_ecr_repository.registry_repository-api_69');
    expect(text).toContain('accepted: Tags are rewritten by the release job');
    expect(text).toMatch(/failed: 2 stacks checked against \d+ rules: 1 error, 0 warnings, 1 suppressed/);
  });

  test('json: the report for machines', () => {
    const json = JSON.parse(formatJson(report));
    expect(json.ok).toBe(false);
    expect(json.summary).toEqual({ errors: 1, warnings: 0, suppressed: 1 });
    expect(json.findings.map((f: any) => f.ruleId)).toEqual(['TC-PLT-006', 'TC-PLT-009']);
  });

  test('sarif: 2.1.0 with rules, levels, file and line locations and suppressions', () => {
    const sarif = JSON.parse(formatSarif(report, stacks, '1.2.3'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'tenantctl', version: '1.2.3' });
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(report.rules.map((r) => r.id));
    const result = run.results.find((r: any) => r.ruleId === 'TC-PLT-009');
    expect(result.level).toBe('error');
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('TC-PLT-009');
    const loc = result.locations[0];
    expect(loc.physicalLocation.artifactLocation.uri).toBe('cdktf.out/stacks/platform/cdk.tf.json');
    expect(stacks[0].text!.split('\n')[loc.physicalLocation.region.startLine - 1]).toContain('"database_instance_8B": {');
    expect(loc.logicalLocations[0]).toEqual({ name: DB, fullyQualifiedName: `platform/${DB}`, kind: 'resource' });
    expect(run.results.find((r: any) => r.ruleId === 'TC-PLT-006').suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'Tags are rewritten by the release job' },
    ]);
  });

  test('lineOf: undefined when the address is not in the file', () => {
    expect(lineOf(stacks[0], 'aws_vpc.nope')).toBeUndefined();
  });
});

describe('tenantctl validate --from (in-process)', () => {
  const dir = tempDir('tenantctl-policy-');

  test('GIVEN a clean synth THEN it exits 0; GIVEN a broken one THEN it exits 1 and prints the finding', async () => {
    const b = baseline();
    const project = writeProject(path.join(dir, 'p1'), platformConfig(WITHOUT_IDENTITY), { acme: { tier: 'enterprise' } });
    writeSynth(project, [b.platform, b.acme]);
    const clean = await runValidate(['--dir', project, '--from', path.join(project, 'cdktf.out')]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^passed: 3 stacks/m);

    body(b.platform, EKS).vpc_config = { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] };
    writeSynth(project, [b.platform, b.acme]);
    const broken = await runValidate(['--dir', project, '--from', path.join(project, 'cdktf.out'), '--output', 'json']);
    expect(broken.code).toBe(1);
    expect(triples(JSON.parse(broken.stdout).findings)).toEqual([['TC-PLT-007', 'platform', EKS]]);
  });

  test('GIVEN a tenant file with an unknown tier THEN TC-CON-001 reports it from the raw file', async () => {
    const b = baseline();
    const project = writeProject(path.join(dir, 'p2'), platformConfig(), { acme: { tier: 'gold' } });
    writeOut(project, [b.platform, b.acme]);
    const res = await runValidate(['--dir', project, '--from', path.join(project, 'cdktf.out'), '--output', 'json']);
    expect(res.code).toBe(1);
    expect(triples(JSON.parse(res.stdout).findings)).toEqual([['TC-CON-001', 'tenant-acme', 'tenants/acme.json']]);
  });

  test('GIVEN --output sarif THEN it prints SARIF with paths relative to the project', async () => {
    const b = baseline();
    body(b.platform, DB).deletion_protection = false;
    const project = writeProject(path.join(dir, 'p3'), platformConfig(), {});
    writeSynth(project, [b.platform]);
    const res = await runValidate(['--dir', project, '--from', path.join(project, 'cdktf.out'), '--output', 'sarif']);
    expect(res.code).toBe(1);
    const result = JSON.parse(res.stdout).runs[0].results[0];
    expect(result.ruleId).toBe('TC-PLT-013');
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('cdktf.out/stacks/platform/cdk.tf.json');
  });

  test('GIVEN an unknown output format THEN it is a usage error', async () => {
    await expect(runValidate(['--from', dir, '--output', 'xml'])).rejects.toMatchObject({ name: 'UsageError', exitCode: 2 });
  });
});

describe('end to end: stock output of tenantctl (loadProject + synthesize)', () => {
  const root = tempDir('tenantctl-policy-e2e-');
  const tenants = { 'shop-starter': { tier: 'starter' }, 'shop-standard': { tier: 'standard' }, 'shop-enterprise': { tier: 'enterprise' } };

  /** Synthesizes a project and validates it the way `tenantctl validate` does. */
  function synthAndValidate(name: string, platform: object, tenantFiles: Record<string, object>, change?: (out: string) => void) {
    const dir = writeProject(path.join(root, name), platform, tenantFiles);
    const project = loadProject(dir);
    const out = synthesize(project, { outdir: path.join(dir, 'cdktf.out') }).outdir;
    change?.(out);
    return validate({ stacks: loadStacks(out, 'cdktf.out'), project, config: configOf(project) });
  }
  const errors = (report: ReturnType<typeof validate>) => report.findings.filter((f) => f.severity === 'error' && !f.suppressed);

  test('GIVEN the platform defaults and one tenant of each tier THEN it validates without errors', () => {
    const report = synthAndValidate('stock', platformConfig({ domain: 'saas.example.com' }), tenants);
    expect(errors(report)).toEqual([]);
    expect(report.ok).toBe(true);
    // Every manifest kind has a packaged schema (Kyverno's included); the one warning is the
    // enterprise tier's node group per tenant, projected to the 500 planned tenants.
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.stack])).toEqual([['TC-PIP-004', 'warning', 'tenant-shop-enterprise']]);
    expect(report.findings[0].message).toMatch(/Managed node groups per cluster \(L-6D54EA21\).*request an increase before tenant 85$/);
  });

  test('GIVEN a tenant override denyEgress=false THEN TC-ISO-004 names its default-deny policy', () => {
    const report = synthAndValidate('egress', platformConfig(), {
      ...tenants,
      'shop-open': { tier: 'starter', overrides: { network: { denyEgress: false } } },
    });
    expect(errors(report).map((f) => [f.ruleId, f.stack])).toEqual([['TC-ISO-004', 'tenant-shop-open']]);
    expect(errors(report)[0].address).toMatch(/^kubernetes_network_policy_v1\.network-policies_default-deny_/);
    expect(report.ok).toBe(false);
  });

  test('GIVEN no --from THEN tenantctl validate synthesizes into cdktf.out and its findings point at lines there', async () => {
    const dir = writeProject(path.join(root, 'cli'), platformConfig(), {
      'shop-open': { tier: 'starter', overrides: { network: { denyEgress: false } } },
    });
    const res = await runValidate(['--dir', dir, '--output', 'sarif']);
    expect(res.code).toBe(1);
    const result = JSON.parse(res.stdout).runs[0].results.find((r: any) => r.ruleId === 'TC-ISO-004');
    const { uri } = result.locations[0].physicalLocation.artifactLocation;
    expect(uri).toBe('cdktf.out/stacks/tenant-shop-open/cdk.tf.json');
    const line = fs.readFileSync(path.join(dir, uri), 'utf8').split('\n')[result.locations[0].physicalLocation.region.startLine - 1];
    expect(line).toMatch(/^\s*"network-policies_default-deny_[^"]*": \{$/);
    expect(fs.readdirSync(path.join(dir, 'cdktf.out')).sort()).toEqual(['manifest.json', 'stacks']);
  });

  /** Opens the synthesized cluster endpoint to the internet, as a hand edit of cdk.tf.json would. */
  const openEndpoint = (out: string) => {
    const file = path.join(out, 'stacks', 'platform', 'cdk.tf.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const cluster: any = Object.values(json.resource.aws_eks_cluster)[0];
    expect(cluster.vpc_config).toMatchObject({ endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] });
    cluster.vpc_config.public_access_cidrs = ['0.0.0.0/0'];
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
  };

  test('GIVEN a public endpoint restricted by eks.publicAccessCidrs THEN it passes; opened to 0.0.0.0/0 THEN TC-PLT-007 names the cluster', () => {
    const restricted = synthAndValidate('public', platformConfig({ eks: { publicAccessCidrs: ['203.0.113.0/24'] } }), {});
    expect(errors(restricted)).toEqual([]);

    const open = synthAndValidate('public-open', platformConfig({ eks: { publicAccessCidrs: ['203.0.113.0/24'] } }), {}, openEndpoint);
    expect(errors(open).map((f) => [f.ruleId, f.stack])).toEqual([['TC-PLT-007', 'platform']]);
    expect(errors(open)[0].address).toMatch(/^aws_eks_cluster\./);
    expect(open.ok).toBe(false);
  });

  test('GIVEN that finding suppressed with a reason THEN it is reported as suppressed and the run passes', () => {
    const suppressions = [{ rule: 'TC-PLT-007', resource: 'aws_eks_cluster.*', reason: 'Bootstrap only: closed once the VPN is up' }];
    const report = synthAndValidate(
      'public-accepted',
      platformConfig({ eks: { publicAccessCidrs: ['203.0.113.0/24'] }, suppressions }),
      {},
      openEndpoint,
    );
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f) => f.suppressed).map((f) => [f.ruleId, f.suppressed!.reason])).toEqual([
      ['TC-PLT-007', suppressions[0].reason],
    ]);
  });

  test('GIVEN a widened IAM policy in a tenant stack THEN TC-ISO-010 and TC-PLT-026 name it', () => {
    let policyAddress = '';
    const report = synthAndValidate('widened', platformConfig(), { 'shop-starter': { tier: 'starter' } }, (out) => {
      const file = path.join(out, 'stacks', 'tenant-shop-starter', 'cdk.tf.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      const [id, policy] = Object.entries<any>(json.resource.aws_iam_role_policy).find(([k]) => k.startsWith('identity_role_policy'))!;
      policy.policy = policyJson([{ Effect: 'Allow', Action: 'rds-db:*', Resource: '*' }]);
      policyAddress = `aws_iam_role_policy.${id}`;
      fs.writeFileSync(file, JSON.stringify(json, null, 2));
    });
    expect(errors(report).map((f) => [f.ruleId, f.stack, f.address])).toEqual([
      ['TC-ISO-010', 'tenant-shop-starter', policyAddress],
      ['TC-PLT-026', 'tenant-shop-starter', policyAddress],
    ]);
  });
});
