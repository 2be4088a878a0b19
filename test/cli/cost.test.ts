import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { COST_JSON_VERSION } from '../../src/model/cost/report';
import { cli, fixtureProject, snapshotTree } from './helpers';

/** `tenantctl cost` as a user runs it, on a copy of the project `init platform --yes` writes (us-east-1, prod). */
describe('GIVEN a project with an enterprise and a starter tenant', () => {
  const dir = fixtureProject('synthesized');
  beforeAll(async () => {
    for (const [id, tier] of [
      ['acme', 'enterprise'],
      ['bob', 'starter'],
    ])
      expect((await cli(['tenant', 'add', id, '--tier', tier, '--dir', dir, '--quiet'])).status).toBe(0);
  });
  const cost = (...args: string[]) => cli(['cost', '--dir', dir, ...args]);

  test('WHEN `cost` runs THEN it prints every line, the pools, each tier with its margin, the optimisations and the assumptions', async () => {
    const res = await cost('--price', 'starter=29', '--price', 'standard=99', '--price', 'enterprise=499');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    for (const expected of [
      'Monthly cost of saas-prod in us-east-1',
      'EKS control plane',
      'EC2 dedicated nodes (enterprise)    $568.64  dedicated     1 tenant, 2 nodes of m6i.2xlarge',
      'KMS keys                              $7.00  platform      7 keys',
      'Share rule: Each tenant carries a share',
      'Scheduled scale-down of the shared tenant nodes',
      'spotDiscount              0.65',
    ])
      expect(res.stdout).toContain(expected);
    expect(res.stdout).toMatch(/enterprise {2}dedicated +1 +\$568\.64 .* \$499\.00 +-?\d+\.\d %/);
  });

  test('WHEN `--output json` THEN the document has its version and a stable shape', async () => {
    const res = await cost('--output', 'json', '--price', 'starter=29', '--set', 'logIngestGb=250');
    expect(res.status).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(Object.keys(doc)).toEqual([
      'version',
      'currency',
      'region',
      'priceTable',
      'assumptions',
      'reservedNodeGroups',
      'lines',
      'totals',
      'tenants',
      'perTenantAverage',
      'shareRule',
      'tiers',
      'optimisations',
      'optimisedMonthly',
      'unknownTypes',
    ]);
    expect(doc).toMatchObject({ version: COST_JSON_VERSION, currency: 'USD', region: 'us-east-1', tenants: 2, unknownTypes: [] });
    expect(Object.keys(doc.lines[0])).toEqual(['id', 'component', 'detail', 'pool', 'monthly']);
    expect(Object.keys(doc.tiers[0])).toEqual([
      'tier',
      'isolation',
      'tenants',
      'dedicatedPerTenant',
      'platformSharePerTenant',
      'sharedNodesSharePerTenant',
      'perTenant',
      'price',
      'margin',
    ]);
    expect(Object.keys(doc.optimisations[0])).toEqual(['id', 'title', 'applied', 'monthlySaving', 'detail', 'apply']);
    expect(doc.assumptions.logIngestGb).toBe(250);
    expect(doc.lines.find((l: { id: string }) => l.id === 'logs').monthly).toBe(125);
    expect(doc.tiers.map((t: { price: number | null }) => t.price)).toEqual([29, null, null]);
  });

  test('WHEN `--output markdown` THEN it is tables a pull request renders', async () => {
    const res = await cost('--output', 'markdown');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('| component | monthly | pool | detail |\n| --- | ---: | --- | --- |\n| EKS control plane | $73.00 | platform |');
    expect(res.stdout).toContain('| tier | nodes | tenants |');
  });

  test('WHEN `--output html --out` THEN one self-contained page is written with both charts, labelled', async () => {
    const file = path.join(dir, 'report.html');
    const res = await cost('--output', 'html', '--out', file);
    expect(res.status).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src="|href="http|url\(/);
    for (const chart of ['cost-by-component', 'cost-by-tier'])
      expect(html).toContain(`<svg id="${chart}" role="img" aria-labelledby="${chart}-title"`);
    expect(html).toContain('<g class="bar" data-label="EC2 dedicated nodes (enterprise)" data-value="568.64">');
    expect(html).toContain('<g class="bar" data-label="enterprise"');
  });

  test.each([
    [['--price', 'gold=10'], 'error: --price gold: no such tier', 2],
    [['--price', 'starter=cheap'], 'error: --price "starter=cheap" is not <tier>=<monthly USD>', 2],
    [['--output', 'pdf'], 'error: --output pdf is not supported: use one of human, json, markdown, html', 2],
    [['--output', 'html'], 'error: --output html writes a page: pass --out <file>', 2],
    [['--set', 'logGb=3'], 'logGb', 1],
    [['--set', 'spotDiscount=2'], 'spotDiscount: must be between 0 and 1 (the Spot saving)', 1],
  ])('WHEN `cost %j` THEN it says what is wrong, without a stack trace, and exits non-zero', async (args, message, status) => {
    const before = snapshotTree(path.join(dir, 'tenants'));
    const res = await cost(...args);
    expect(res.status).toBe(status);
    expect(res.stderr).toContain(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe('');
    expect(snapshotTree(path.join(dir, 'tenants'))).toEqual(before);
  });

  test('WHEN platform.json holds an unknown cost key THEN it is refused with the field and the nearest key', async () => {
    const file = path.join(dir, 'platform.json');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(original), cost: { assumptions: { logIngestGB: 10 } } }, null, 2));
      const res = await cost();
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('cost.assumptions.logIngestGB');
      expect(res.stderr).toContain('logIngestGb');
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});

describe('GIVEN a pull request that adds an enterprise tenant', () => {
  const dir = fs.realpathSync(fixtureProject('synthesized'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  beforeAll(async () => {
    git('init', '-q', '-b', 'main');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'platform');
    expect((await cli(['tenant', 'add', 'acme', '--tier', 'enterprise', '--dir', dir, '--quiet'])).status).toBe(0);
  });

  test('WHEN `cost --base main --output json` THEN the change is its dedicated nodes, and it is listed at what it costs', async () => {
    const res = await cli(['cost', '--dir', dir, '--base', 'main', '--output', 'json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const { delta, tiers } = JSON.parse(res.stdout);
    expect(delta.lines).toEqual([
      { id: 'nodes:dedicated:enterprise', component: 'EC2 dedicated nodes (enterprise)', base: 0, head: 568.64, delta: 568.64 },
    ]);
    expect(delta.total.delta).toBe(568.64);
    const enterprise = tiers.find((t: { tier: string }) => t.tier === 'enterprise');
    expect(delta.tenantsAdded).toEqual([{ id: 'acme', tier: 'enterprise', monthly: enterprise.perTenant }]);
    expect(delta.tenantsRemoved).toEqual([]);
  });

  test('WHEN `cost --base main --output markdown` THEN the comment leads with the change table', async () => {
    const res = await cli(['cost', '--dir', dir, '--base', 'main', '--output', 'markdown']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^#### Monthly cost change: \+\$568\.64 \(\$[\d,.]+ -> \$[\d,.]+\)\n/);
    expect(res.stdout).toContain(
      '| component | base | now | change |\n| --- | ---: | ---: | ---: |\n| EC2 dedicated nodes (enterprise) | $0.00 | $568.64 | +$568.64 |',
    );
    expect(res.stdout).toContain('Tenants added: acme (enterprise, $');
  });
});
