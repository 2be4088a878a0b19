/**
 * The engines harness: builds fixture projects with the real CLI, then runs the real tools over
 * what tenantctl synthesizes. Started by scripts/engines.sh (which installs the tools):
 *
 *   node dist/test/engines/main.js [checkov|terraform|helm|admission|promql|workflows|report|selftest]...
 *
 * Prints each check as PASS or FAIL, a summary with timings, and `engines: N passed, M failed`;
 * exits 1 on any failure.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { admissionEngine } from './admission';
import { checkovEngine } from './checkov';
import { costReportEngine } from './cost-report';
import { buildFixtures, buildWorkflowFixtures, type Fixture, type WorkflowFixture } from './fixtures';
import { helmEngine } from './helm';
import { promqlEngine } from './promql';
import { Report } from './report';
import { selfTest } from './selftest';
import { terraformEngine } from './terraform';
import { toolsFromEnv } from './tools';
import { workflowsEngine } from './workflows';

const ENGINES = ['checkov', 'terraform', 'helm', 'admission', 'promql', 'workflows', 'report', 'selftest'] as const;
type EngineName = (typeof ENGINES)[number];

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => !(ENGINES as readonly string[]).includes(a));
  if (unknown.length) {
    console.error(`unknown engine ${unknown.join(', ')}: use ${ENGINES.join(', ')} (none: all)`);
    return 2;
  }
  const selected = new Set<EngineName>(args.length ? (args as EngineName[]) : ENGINES);
  const tools = toolsFromEnv();
  const report = new Report();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-engines-'));
  try {
    report.section('fixtures');
    const needsStacks = (['checkov', 'terraform', 'helm', 'admission', 'promql', 'selftest'] as const).some((e) => selected.has(e));
    const needsWorkflows = selected.has('workflows') || selected.has('selftest');
    const fixtures: Fixture[] = needsStacks ? ((await report.timed('fixtures', () => buildFixtures(path.join(work, 'projects')))) ?? []) : [];
    for (const fixture of fixtures) report.record('fixtures', fixture.name, true, `synthesized ${fixture.stacks.map((s) => s.name).join(', ')}`);
    const workflows: WorkflowFixture[] = needsWorkflows
      ? ((await report.timed('fixtures', () => buildWorkflowFixtures(path.join(work, 'workflows')))) ?? [])
      : [];
    for (const fixture of workflows)
      report.record(
        'fixtures',
        `workflows ${fixture.name}`,
        true,
        `tenantctl ci init github wrote ${fixture.files.map((f) => path.relative(fixture.root, f)).join(', ')}`,
      );
    const stacks = fixtures.flatMap((f) => f.stacks);

    if (selected.has('checkov') && stacks.length) {
      report.section('checkov');
      await report.timed('checkov', () => checkovEngine(tools, stacks, path.join(work, 'checkov'), report));
    }
    if (selected.has('terraform') && stacks.length) {
      report.section('terraform');
      await report.timed('terraform', () => terraformEngine(tools, stacks, path.join(work, 'terraform'), report));
    }
    if (selected.has('helm') && stacks.length) {
      report.section('helm');
      await report.timed('helm', () => helmEngine(tools, stacks, path.join(work, 'helm'), report));
    }
    if (selected.has('admission') && stacks.length) {
      report.section('admission');
      await report.timed('admission', () =>
        admissionEngine(
          tools,
          fixtures.map((f) => f.stacks),
          path.join(work, 'admission'),
          report,
        ),
      );
    }
    if (selected.has('promql') && stacks.length) {
      report.section('promql');
      await report.timed('promql', () =>
        promqlEngine(
          tools,
          fixtures.map((f) => f.stacks),
          path.join(work, 'promql'),
          report,
        ),
      );
    }
    if (selected.has('workflows') && workflows.length) {
      report.section('workflows');
      await report.timed('workflows', () => workflowsEngine(tools, workflows, report));
    }
    if (selected.has('report')) {
      report.section('report');
      await report.timed('report', () => costReportEngine(tools, path.join(work, 'report'), report));
    }
    if (selected.has('selftest') && stacks.length && workflows.length) {
      report.section('selftest: deliberately broken variants, each must be rejected');
      await report.timed('selftest', () => selfTest(tools, stacks, workflows, path.join(work, 'selftest'), report));
    }
  } finally {
    // TENANTCTL_ENGINES_KEEP=1 keeps the fixtures and the engines' inputs for a look at a failure.
    if (process.env.TENANTCTL_ENGINES_KEEP) console.log(`\nkept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  report.summary();
  return report.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    console.log('engines: 0 passed, 1 failed');
    process.exit(1);
  },
);
