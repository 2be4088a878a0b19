/**
 * `npm run bench`: time and peak memory of the CLI from compiled JavaScript, each case run as a
 * fresh process (what a user or CI pays). Not a test: it prints numbers, it asserts nothing.
 *
 * Cases: `tenantctl --help`; `init platform` (synthesizes the platform stack); full synth with
 * 1, 50 and 500 tenants; and one `tenant add` when 500 tenants exist (synthesizes one stack).
 * Then "budgets at 500 tenants": a Terraform Cloud project of 500 tenants across the tiers,
 * synthesized once, and every per-role and per-object budget at 500 tenants against its limit.
 * `node dist/test/bench/bench.js budgets` runs that case alone.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadStacks, readConfig } from '../../src/policy/engine';
import { budgetTable, budgets } from './budgets';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/bin/tenantctl.js');
const preload = path.join(root, 'dist/test/bench/rusage-preload.js');
const tiers = ['starter', 'standard', 'enterprise'];

interface Sample {
  ms: number;
  maxRssMiB: number;
}

function run(args: string[], cwd: string): Sample {
  const file = path.join(os.tmpdir(), `tenantctl-bench-${process.pid}.json`);
  const res = spawnSync(process.execPath, ['--require', preload, cli, ...args], {
    cwd,
    env: { ...process.env, TENANTCTL_BENCH_RUSAGE: file, CI: 'true', CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`tenantctl ${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  const sample = JSON.parse(fs.readFileSync(file, 'utf8')) as Sample;
  fs.rmSync(file, { force: true });
  return sample;
}

function best(n: number, f: () => Sample): Sample {
  const samples = Array.from({ length: n }, f);
  return samples.reduce((a, b) => (b.ms < a.ms ? b : a));
}

function project(tenants: number, initFlags: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tenantctl-bench-${tenants}-`));
  run(['init', 'platform', '--yes', '--account-id', '111122223333', ...initFlags, '--no-synth', '--quiet', '--dir', dir], root);
  fs.mkdirSync(path.join(dir, 'tenants'), { recursive: true });
  for (let i = 0; i < tenants; i++) {
    const id = `t${String(i).padStart(4, '0')}`;
    fs.writeFileSync(path.join(dir, 'tenants', `${id}.json`), JSON.stringify({ version: 1, id, tier: tiers[i % tiers.length] }));
  }
  return dir;
}

const rows: [string, Sample][] = [];
const record = (name: string, s: Sample) => {
  rows.push([name, s]);
  process.stdout.write(`${name.padEnd(44)} ${s.ms.toFixed(0).padStart(7)} ms ${s.maxRssMiB.toFixed(0).padStart(6)} MiB\n`);
};

process.stdout.write(`tenantctl benchmark (node ${process.version}, ${os.cpus().length} CPUs; best of runs, fresh process each)\n`);
const only = process.argv[2];
if (only !== 'budgets') {
  record('tenantctl --help', best(5, () => run(['--help'], root)));
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-bench-init-'));
    record('init platform (writes config + synth platform)', run(['init', 'platform', '--yes', '--account-id', '111122223333', '--quiet', '--dir', dir], root));
    record('synth --stack platform', best(3, () => run(['synth', '--stack', 'platform', '--quiet', '--dir', dir], root)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const n of [1, 50, 500]) {
    const dir = project(n);
    record(`synth, platform + ${n} tenant(s)`, run(['synth', '--quiet', '--dir', dir], root));
    if (n === 500) {
      record('tenant add (500 tenants exist)', run(['tenant', 'add', 'newcomer', '--tier', 'standard', '--quiet', '--dir', dir], root));
    }
    if (n === 1) {
      record('tenant add (1 tenant exists)', run(['tenant', 'add', 'newcomer', '--tier', 'standard', '--quiet', '--dir', dir], root));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
{
  const dir = project(500, ['--tfc-organization', 'bench-org']);
  record('synth, platform + 500 tenants, Terraform Cloud', run(['synth', '--quiet', '--dir', dir], root));
  const started = process.hrtime.bigint();
  const { project: loaded } = readConfig(dir);
  const found = budgets({ stacks: loadStacks(path.join(dir, 'cdktf.out')), project: loaded });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`\nbudgets at 500 tenants (tiers ${tiers.join('/')} in turn; value at 500 / limit; ${ms.toFixed(0)} ms to load and project)\n${budgetTable(found)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
}
