import * as fs from 'fs';
import * as path from 'path';
import type { WorkflowFixture } from './fixtures';
import type { Report } from './report';
import { run, type Tools } from './tools';

export interface LintOutcome {
  readonly ok: boolean;
  readonly findings: string[];
}

/** actionlint, the way GitHub parses workflows (expressions, job graph), with shellcheck on every `run:`. */
export async function actionlint(tools: Tools, root: string, files: readonly string[]): Promise<LintOutcome> {
  const res = await run(
    tools.actionlint,
    ['-shellcheck', tools.shellcheck, '-no-color', '-format', '{{json .}}', ...files.map((f) => path.relative(root, f))],
    { cwd: root },
  );
  let errors: { filepath: string; line: number; column: number; message: string; kind: string }[];
  try {
    errors = JSON.parse(res.stdout || '[]');
  } catch {
    return { ok: false, findings: [`actionlint exited ${res.code}: ${res.output}`] };
  }
  const findings = errors.map((e) => `${e.filepath}:${e.line}:${e.column} [${e.kind}] ${e.message}`);
  return {
    ok: res.code === 0 && findings.length === 0,
    findings: res.code === 0 || findings.length ? findings : [`actionlint exited ${res.code}: ${res.output}`],
  };
}

/** zizmor's offline audits (unpinned actions, template injection, permissions, credential persistence, ...). */
export async function zizmor(tools: Tools, root: string): Promise<LintOutcome> {
  // --no-config: only the generated files (and their inline ignore comments) decide.
  const res = await run(tools.zizmor, ['--offline', '--no-config', '--no-progress', '--format', 'json', root]);
  let findings: {
    ident: string;
    desc: string;
    determinations: { severity: string };
    locations: {
      symbolic: { key: { Local?: { verbatim_path: string } }; annotation: string };
      concrete: { location: { start_point: { row: number } } };
    }[];
  }[];
  try {
    findings = JSON.parse(res.stdout);
  } catch {
    return { ok: false, findings: [`zizmor exited ${res.code}: ${res.output}`] };
  }
  const lines = findings.map((f) => {
    const at = f.locations[0];
    const file = at?.symbolic.key.Local?.verbatim_path ?? '';
    return `${path.relative(root, file) || file}:${(at?.concrete.location.start_point.row ?? -1) + 1} ${f.determinations.severity} [${f.ident}] ${f.desc}${at?.symbolic.annotation ? `: ${at.symbolic.annotation}` : ''}`;
  });
  return {
    ok: lines.length === 0 && res.code === 0,
    findings: lines.length || res.code === 0 ? lines : [`zizmor exited ${res.code}: ${res.stderr}`],
  };
}

/** The inline `# zizmor: ignore[...]` comments of the generated files, shown with their reasons. */
function ignoreComments(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/#\s*zizmor: ignore\[/.test(line) ? [`${path.basename(file)}:${i + 1} ${line.trim().replace(/^.*?#\s*/, '')}`] : [])),
  );
}

/** actionlint and zizmor on the workflows `tenantctl ci init github` writes, in each repository layout. */
export async function workflowsEngine(tools: Tools, fixtures: readonly WorkflowFixture[], report: Report): Promise<void> {
  for (const fixture of fixtures) {
    const names = fixture.files.map((f) => path.basename(f)).join(', ');
    const lint = await actionlint(tools, fixture.root, fixture.files);
    report.record(
      'workflows',
      `actionlint ${fixture.name}`,
      lint.ok,
      lint.ok ? `no finding in ${names}` : `${lint.findings.length} finding(s)`,
      lint.findings,
    );
    const audit = await zizmor(tools, fixture.root);
    report.record(
      'workflows',
      `zizmor ${fixture.name}`,
      audit.ok,
      audit.ok ? `no finding in ${names}` : `${audit.findings.length} finding(s)`,
      audit.findings,
    );
    const ignored = ignoreComments(fixture.files);
    if (ignored.length) report.note('workflows', `${fixture.name}: zizmor findings ignored inline in the generated files`, ignored);
  }
}
