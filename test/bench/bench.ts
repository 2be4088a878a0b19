/**
 * `npm run bench`: wall time, CPU time (every thread) and peak memory of the CLI from compiled
 * JavaScript, each case run as a fresh process (what a user or CI pays). Not a test: it prints
 * numbers against the targets of issue 11, it asserts nothing.
 *
 * Cases: start-up; `init platform`; full synth with 1, 50, 500 and 2,000 tenants, and 500 under
 * Terraform Cloud (two service accounts); the per-tenant CPU slope; `tenant add` among 500;
 * `validate` at 500 from scratch and over an up-to-date synth; `changed` at 500 after a tenant
 * edit, and after a platform.json edit with the project synthesized before it and with nothing
 * synthesized. A case with a target shows the median of three runs; a case held to a multiple of
 * another runs that one beside it in each round, and is compared with those runs.
 * Then every per-role and per-object budget at 500 tenants against its limit.
 *
 *   node dist/test/bench/bench.js                      this build
 *   node dist/test/bench/bench.js --baseline <dir>     and, case by case, the build in <dir> (a
 *                                                      checkout with dist/ and node_modules/): the
 *                                                      before/after figures from one run
 *   node dist/test/bench/bench.js budgets              the budget table alone
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadStacks, readConfig } from '../../src/policy/engine';
import { FIXTURES, writeFixture, type FixtureProject } from '../synth/fixture-projects';
import { budgetTable, budgets } from './budgets';

const root = path.resolve(__dirname, '../../..');
const preload = path.join(root, 'dist/test/bench/rusage-preload.js');

interface Sample {
  ms: number;
  cpuMs: number;
  maxRssMiB: number;
}

interface Build {
  readonly label: string;
  readonly cli: string;
}

function run(build: Build, args: string[], cwd: string): Sample {
  const file = path.join(os.tmpdir(), `tenantctl-bench-${process.pid}.json`);
  const res = spawnSync(process.execPath, ['--require', preload, build.cli, ...args], {
    cwd,
    env: { ...process.env, TENANTCTL_BENCH_RUSAGE: file, CI: 'true', CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // validate exits 1 on findings; the bench measures it either way.
  if (res.status !== 0 && !(args[0] === 'validate' && res.status === 1))
    throw new Error(`${build.label}: tenantctl ${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  const sample = JSON.parse(fs.readFileSync(file, 'utf8')) as Sample;
  fs.rmSync(file, { force: true });
  return sample;
}

function best(n: number, f: () => Sample): Sample {
  return Array.from({ length: n }, f).reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** Each figure's median over `samples` (an odd count), so one run slowed by the machine moves no verdict. */
function median(samples: readonly Sample[]): Sample {
  const mid = (figure: keyof Sample) => samples.map((s) => s[figure]).sort((a, b) => a - b)[(samples.length - 1) >> 1];
  return { ms: mid('ms'), cpuMs: mid('cpuMs'), maxRssMiB: mid('maxRssMiB') };
}

/** Runs of each case held to a target: the machine's speed drifts by a third within minutes, a median of three holds. */
const TARGET_RUNS = 3;

/** A fixture project with `tenants` generated tenants, in a git repository (for `changed`). */
function project(fixture: FixtureProject, tenants: number): string {
  const dir = writeFixture(fs.mkdtempSync(path.join(os.tmpdir(), `tenantctl-bench-${tenants}-`)), fixture, tenants);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'cdktf.out/\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  return dir;
}

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

/** What a case is held to (issue 11): a wall time, a peak memory, or a multiple of another case's wall time. */
interface Target {
  readonly ms?: number;
  readonly maxRssMiB?: number;
  readonly times?: readonly [number, string];
}

const builds: Build[] = [{ label: 'this build', cli: path.join(root, 'dist/bin/tenantctl.js') }];
const baselineAt = process.argv.indexOf('--baseline');
if (baselineAt >= 0) builds.push({ label: 'baseline', cli: path.join(path.resolve(process.argv[baselineAt + 1]), 'dist/bin/tenantctl.js') });
const results = new Map<string, Sample[]>();

const fmt = (s: Sample) =>
  `${(s.ms / 1000).toFixed(1).padStart(6)} s ${(s.cpuMs / 1000).toFixed(1).padStart(6)} s ${s.maxRssMiB.toFixed(0).padStart(5)} MiB`;

/** `base`: for a multiple of another case, that case's medians over the same rounds. */
function verdict(s: Sample, target?: Target, base?: Sample): string {
  if (!target) return '';
  const checks: string[] = [];
  if (target.ms !== undefined) checks.push(`${s.ms <= target.ms ? 'ok' : 'OVER'} <= ${target.ms / 1000} s`);
  if (target.maxRssMiB !== undefined) checks.push(`${s.maxRssMiB <= target.maxRssMiB ? 'ok' : 'OVER'} <= ${target.maxRssMiB} MiB`);
  if (target.times && base) {
    // CPU time as well: on a shared machine it says more than wall time about the work done.
    const [factor, of] = target.times;
    const ratio = s.ms / base.ms;
    checks.push(
      `${ratio <= factor ? 'ok' : 'OVER'} ${ratio.toFixed(2)}x (CPU ${(s.cpuMs / base.cpuMs).toFixed(2)}x) <= ${factor}x ${of} (${(base.ms / 1000).toFixed(1)} s in the same rounds)`,
    );
  }
  return `  [${checks.join(', ')}]`;
}

/** How each case measured so far runs once on a build: a case held to a multiple of it runs it again beside it. */
const cases = new Map<string, (build: Build) => Sample>();

/**
 * Runs a case on every build and prints one line: this build's figures first, its target checked.
 * A case with a target runs TARGET_RUNS times, the builds in turn within each round (so a slower
 * minute of the machine falls on both), and shows each build's medians. A case held to a multiple
 * of another runs that one just before it in every round: the machine's speed drifts by a third
 * between cases, so a ratio of figures taken minutes apart says more about the machine than about
 * the work.
 */
function measure(name: string, once: (build: Build) => Sample, target?: Target): void {
  cases.set(name, once);
  const runs = target ? TARGET_RUNS : 1;
  const reference = target?.times ? cases.get(target.times[1]) : undefined;
  if (target?.times && !reference) throw new Error(`${name}: the case it is held to, ${target.times[1]}, is not measured before it`);
  const rounds = Array.from({ length: runs }, () => builds.map((build) => ({ base: reference?.(build), sample: once(build) })));
  const medianOf = (i: number, figure: 'base' | 'sample') => median(rounds.map((round) => round[i][figure]!));
  const samples = builds.map((_, i) => medianOf(i, 'sample'));
  results.set(name, samples);
  const columns = samples.map(fmt).join('   ');
  const label = runs > 1 ? `${name} (median of ${runs})` : name;
  process.stdout.write(`${label.padEnd(62)} ${columns}${verdict(samples[0], target, reference && medianOf(0, 'base'))}\n`);
}

function header(): void {
  process.stdout.write(
    `tenantctl benchmark (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}; fresh process each)\n`,
  );
  const cols = builds.map((b) => `${b.label.padStart(27)}`).join('   ');
  process.stdout.write(`${''.padEnd(62)} ${cols}\n${''.padEnd(62)} ${builds.map(() => '  wall      cpu      peak').join('     ')}\n`);
}

/** A synth of `fixture` with `tenants` tenants per build, in a project of its own. */
function synthCase(name: string, fixture: FixtureProject, tenants: number, target?: Target): void {
  measure(
    name,
    (build) => {
      const dir = project(fixture, tenants);
      try {
        return run(build, ['synth', '--quiet', '--dir', dir], root);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    target,
  );
}

function slope(): void {
  const at = (name: string) => results.get(name)!;
  const line = builds
    .map(
      (b, i) =>
        `${((at('synth, 500 tenants')[i].cpuMs - at('synth, 50 tenants')[i].cpuMs) / 450).toFixed(1).padStart(5)} ms CPU per tenant (${b.label})`,
    )
    .join('   ');
  process.stdout.write(`${'per-tenant CPU slope (50 to 500 tenants)'.padEnd(62)} ${line}\n`);
}

function mainCases(): void {
  header();
  measure('tenantctl --help', (build) => best(3, () => run(build, ['--help'], root)));
  measure('init platform (writes config + synth platform)', (build) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-bench-init-'));
    try {
      return run(build, ['init', 'platform', '--yes', '--account-id', '111122223333', '--quiet', '--dir', dir], root);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  synthCase('synth, 1 tenant', FIXTURES.default, 0);
  synthCase('synth, 50 tenants', FIXTURES.default, 45);
  synthCase('synth, 500 tenants', FIXTURES.default, 495, { ms: 4000, maxRssMiB: 300 });
  slope();
  synthCase('synth, 500 tenants, Terraform Cloud', FIXTURES['terraform-cloud'], 492, { ms: 4000, maxRssMiB: 300 });
  synthCase('synth, 2,000 tenants', FIXTURES.default, 1995, { ms: 15000, maxRssMiB: 800 });

  // One 500-tenant project per build for the commands that work on an existing project.
  const dirs = builds.map(() => project(FIXTURES.default, 495));
  const on = (build: Build) => dirs[builds.indexOf(build)];
  try {
    measure(
      'validate, 500 tenants, nothing synthesized',
      (build) => {
        fs.rmSync(path.join(on(build), 'cdktf.out'), { recursive: true, force: true });
        return run(build, ['validate', '--dir', on(build)], root);
      },
      { times: [1.5, 'synth, 500 tenants'] },
    );
    measure(
      'validate, 500 tenants, after synth',
      (build) => {
        run(build, ['synth', '--quiet', '--dir', on(build)], root);
        return run(build, ['validate', '--dir', on(build)], root);
      },
      { times: [1.5, 'synth, 500 tenants'] },
    );
    measure('tenant add (500 tenants exist)', (build) =>
      run(build, ['tenant', 'add', 'newcomer', '--tier', 'standard', '--quiet', '--dir', on(build)], root),
    );
    measure('changed, 500 tenants, a tenant edited', (build) => {
      editJson(path.join(on(build), 'tenants', 'acme.json'), (t) => (t.displayName = 'Acme Corporation'));
      return run(build, ['changed', '--base', 'main', '--dir', on(build)], root);
    });
    measure(
      'changed, 500 tenants, platform.json edited',
      (build) => {
        editJson(path.join(on(build), 'platform.json'), (p) => (p.environment = 'staging'));
        return run(build, ['changed', '--base', 'main', '--dir', on(build)], root);
      },
      { times: [2, 'synth, 500 tenants'] },
    );
    // A clone that never synthesized: both sides are synthesized.
    measure(
      'changed, 500 tenants, platform.json edited, nothing synthesized',
      (build) => {
        fs.rmSync(path.join(on(build), 'cdktf.out'), { recursive: true, force: true });
        return run(build, ['changed', '--base', 'main', '--dir', on(build)], root);
      },
      { times: [2, 'synth, 500 tenants'] },
    );
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function budgetCase(): void {
  const dir = project(FIXTURES['terraform-cloud'], 492);
  try {
    run(builds[0], ['synth', '--quiet', '--dir', dir], root);
    const started = process.hrtime.bigint();
    const { project: loaded } = readConfig(dir);
    const found = budgets({ stacks: loadStacks(path.join(dir, 'cdktf.out')), project: loaded });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
      `\nbudgets at 500 tenants (Terraform Cloud, tiers in turn; value at 500 / limit; ${ms.toFixed(0)} ms to load and project)\n` +
        `${budgetTable(found)}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] !== 'budgets') mainCases();
budgetCase();
