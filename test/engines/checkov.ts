import * as fs from 'fs';
import * as path from 'path';
import type { TerraformJson } from './aws-only';
import { CHECKOV_SUPPRESSIONS, type CheckovSuppression } from './checkov-suppressions';
import type { Stack } from './fixtures';
import { glob } from './patterns';
import type { Report } from './report';
import { run, type Tools } from './tools';

/** One failed check of one resource. */
export interface CheckovFinding {
  readonly stack: Stack;
  readonly check: string;
  readonly name: string;
  /** `<type>.<name>` (checkov names some resources `resource.<name>` in Terraform JSON). */
  readonly resource: string;
}

export interface CheckovResult {
  /** Passed checks per stack. */
  readonly passed: ReadonlyMap<Stack, number>;
  readonly failed: CheckovFinding[];
  readonly parsingErrors: string[];
}

interface RawCheck {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
}

interface RawReport {
  check_type?: string;
  results?: { passed_checks: RawCheck[]; failed_checks: RawCheck[]; parsing_errors?: string[] };
  summary?: { passed: number; failed: number; parsing_errors: number };
}

/**
 * Runs checkov once over `stacks` (one run costs its start-up once: ~2 s, where the scan of a
 * stack is a fraction of that). checkov reads cdk.tf.json only through its `terraform_json`
 * framework; its `terraform` framework finds no resource there. Nothing is downloaded.
 */
export async function runCheckov(tools: Tools, stacks: readonly Stack[], workDir: string): Promise<CheckovResult> {
  fs.rmSync(workDir, { recursive: true, force: true });
  const byFile = new Map<string, Stack>();
  for (const stack of stacks) {
    const relative = `${stack.id}/cdk.tf.json`;
    fs.mkdirSync(path.join(workDir, stack.id), { recursive: true });
    fs.writeFileSync(path.join(workDir, relative), JSON.stringify(stack.json, null, 2));
    byFile.set(`/${relative}`, stack);
  }
  const res = await run(tools.checkov, ['--directory', '.', '--framework', 'terraform_json', '--output', 'json', '--skip-download'], {
    cwd: workDir,
  });
  // 0: no failed check, 1: failed checks; anything else (or no JSON) is checkov failing to run.
  let raw: RawReport | RawReport[];
  try {
    raw = JSON.parse(res.stdout) as RawReport | RawReport[];
  } catch {
    throw new Error(`checkov exited ${res.code} without a JSON report:\n${res.output.slice(-4000)}`);
  }
  if (res.code !== 0 && res.code !== 1) throw new Error(`checkov exited ${res.code}:\n${res.stderr.slice(-4000)}`);
  const reports = (Array.isArray(raw) ? raw : [raw]).filter((r) => r.results);
  const stackOf = (check: RawCheck) => {
    const stack = byFile.get(check.file_path);
    if (!stack) throw new Error(`checkov reported ${check.check_id} on ${check.file_path}, which is not a staged stack`);
    return stack;
  };
  const passed = new Map<Stack, number>();
  const failed: CheckovFinding[] = [];
  for (const report of reports) {
    for (const check of report.results!.passed_checks) {
      const stack = stackOf(check);
      passed.set(stack, (passed.get(stack) ?? 0) + 1);
    }
    for (const check of report.results!.failed_checks) {
      const stack = stackOf(check);
      failed.push({ stack, check: check.check_id, name: check.check_name, resource: resourceAddress(stack.json, check.resource) });
    }
  }
  return { passed, failed, parsingErrors: reports.flatMap((r) => r.results!.parsing_errors ?? []) };
}

/**
 * checkov's terraform_json runner names resource-check results `resource.<name>` (graph checks
 * get `<type>.<name>`); cdktf names are unique within a stack, so the type is found by name.
 */
export function resourceAddress(json: TerraformJson, reported: string): string {
  if (!reported.startsWith('resource.')) return reported;
  const name = reported.slice('resource.'.length);
  const types = Object.entries<Record<string, unknown>>(json.resource ?? {})
    .filter(([, named]) => name in named)
    .map(([type]) => type);
  if (types.length !== 1)
    throw new Error(`checkov resource ${reported}: ${types.length ? `ambiguous (${types.join(', ')})` : 'no such resource in the stack'}`);
  return `${types[0]}.${name}`;
}

export function suppressionFor(
  finding: CheckovFinding,
  suppressions: readonly CheckovSuppression[] = CHECKOV_SUPPRESSIONS,
): CheckovSuppression | undefined {
  return suppressions.find(
    (s) =>
      s.check === finding.check &&
      glob(s.stack).test(finding.stack.name) &&
      glob(s.resource).test(finding.resource) &&
      (!s.when || s.when.holds(finding.stack.json)),
  );
}

/** checkov over every stack: zero failed checks but the documented suppressions, none of them stale. */
export async function checkovEngine(tools: Tools, stacks: readonly Stack[], workDir: string, report: Report): Promise<void> {
  const result = await runCheckov(tools, stacks, workDir);
  if (result.parsingErrors.length)
    report.record('checkov', 'parse', false, `checkov could not parse ${result.parsingErrors.length} file(s)`, result.parsingErrors);
  const used = new Map<CheckovSuppression, number>();
  let suppressedTotal = 0;
  let failedTotal = 0;
  let passedTotal = 0;
  for (const stack of stacks) {
    const findings = result.failed.filter((f) => f.stack === stack);
    const open: string[] = [];
    const suppressed: string[] = [];
    for (const finding of findings) {
      const suppression = suppressionFor(finding);
      const line = `${finding.check} ${finding.resource}: ${finding.name}`;
      if (suppression) {
        used.set(suppression, (used.get(suppression) ?? 0) + 1);
        suppressed.push(`suppressed ${line}`);
      } else {
        open.push(line);
      }
    }
    suppressedTotal += suppressed.length;
    failedTotal += open.length;
    const passed = result.passed.get(stack) ?? 0;
    passedTotal += passed;
    const summary = `${passed} passed, ${open.length} failed, ${suppressed.length} suppressed${passed + findings.length === 0 ? ' (no checkov policy covers its resources)' : ''}`;
    report.record('checkov', stack.id, open.length === 0, summary, open);
  }
  const stale = CHECKOV_SUPPRESSIONS.filter((s) => !used.has(s));
  report.record(
    'checkov',
    'suppressions',
    stale.length === 0,
    `${CHECKOV_SUPPRESSIONS.length} in test/engines/checkov-suppressions.ts, ${stale.length} stale`,
    CHECKOV_SUPPRESSIONS.map(
      (s) =>
        `${used.has(s) ? `${used.get(s)}x` : 'STALE'} ${s.check} ${s.stack} ${s.resource}${s.when ? ` (${s.when.description})` : ''}: ${s.reason}`,
    ),
  );
  report.note('checkov', `total: ${passedTotal} passed, ${failedTotal} failed, ${suppressedTotal} suppressed over ${stacks.length} stacks`);
}
