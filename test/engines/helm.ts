import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isKnownKind, validateManifest } from '../../src/manifests/schema';
import { templatePath } from '../../src/paths';
import type { TerraformJson } from './aws-only';
import type { Stack } from './fixtures';
import type { Report } from './report';
import { run, type Tools } from './tools';

/** A helm_release of a chart tenantctl ships (copied into the stack's assets), with its values. */
export interface LocalRelease {
  readonly stack: Stack;
  readonly address: string;
  readonly name: string;
  readonly namespace: string;
  /** The chart directory as synthesized (the stack's asset). */
  readonly chartDir: string;
  /** `name` of its Chart.yaml. */
  readonly chart: string;
  /** Values documents, in order, as Terraform passes them (references `${...}` left as text). */
  readonly values: readonly string[];
  /** `--set` / `--set-string` arguments from `set` blocks. */
  readonly setArgs: readonly string[];
  /** Kubernetes version of the platform's EKS cluster, for Capabilities.KubeVersion. */
  readonly kubeVersion?: string;
}

const chartName = (dir: string) => /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'))?.[1] ?? path.basename(dir);

/** Terraform's `$${` is a literal `${`; a real reference stays text (a string to the chart). */
const unescape = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/** The releases of local charts in `stacks`: a release with no repository whose chart is a directory of the stack. */
export function localReleases(stacks: readonly Stack[]): LocalRelease[] {
  const kubeVersions = new Map<string, string>();
  for (const stack of stacks) {
    for (const cluster of Object.values<TerraformJson>(stack.json.resource?.aws_eks_cluster ?? {}))
      kubeVersions.set(fixtureOf(stack), cluster.version);
  }
  return stacks.flatMap((stack) =>
    Object.entries<TerraformJson>(stack.json.resource?.helm_release ?? {})
      .filter(([, r]) => !r.repository && fs.existsSync(path.join(stack.dir, r.chart, 'Chart.yaml')))
      .map(([name, r]) => {
        const chartDir = path.join(stack.dir, r.chart);
        const sets = [...[r.set ?? []].flat(), ...[r.set_sensitive ?? []].flat()] as { name: string; value: string; type?: string }[];
        return {
          stack,
          address: `helm_release.${name}`,
          name: r.name,
          namespace: r.namespace ?? 'default',
          chartDir,
          chart: chartName(chartDir),
          values: ([r.values ?? []].flat() as string[]).map(unescape),
          setArgs: sets.flatMap((s) => [s.type === 'string' ? '--set-string' : '--set', `${s.name}=${unescape(String(s.value))}`]),
          kubeVersion: kubeVersions.get(fixtureOf(stack)),
        };
      }),
  );
}

/**
 * The chart Argo CD renders for every catalog service (templates/charts/tenant-service), once per
 * synthesized Application, with the values the Application carries: what a tenant's service gets.
 */
export function applicationReleases(stacks: readonly Stack[]): LocalRelease[] {
  const chartDir = templatePath('charts', 'tenant-service');
  const kubeVersions = new Map<string, string>();
  for (const stack of stacks) {
    for (const cluster of Object.values<TerraformJson>(stack.json.resource?.aws_eks_cluster ?? {}))
      kubeVersions.set(fixtureOf(stack), cluster.version);
  }
  return stacks.flatMap((stack) =>
    Object.entries<TerraformJson>(stack.json.resource?.kubernetes_manifest ?? {})
      .filter(([, r]) => r.manifest?.kind === 'Application' && r.manifest.spec?.source?.helm?.valuesObject)
      .map(([name, r]) => ({
        stack,
        address: `kubernetes_manifest.${name}`,
        name: String(r.manifest.spec.source.helm.releaseName),
        namespace: String(r.manifest.spec.destination.namespace),
        chartDir,
        chart: chartName(chartDir),
        values: [JSON.stringify(r.manifest.spec.source.helm.valuesObject)],
        setArgs: [],
        kubeVersion: kubeVersions.get(fixtureOf(stack)),
      })),
  );
}

const fixtureOf = (stack: Stack) => stack.id.slice(0, stack.id.length - stack.name.length - 1);

export interface HelmOutcome {
  readonly lint: { readonly ok: boolean; readonly output: string };
  readonly template: { readonly ok: boolean; readonly output: string };
  /** Schema problems of rendered objects. */
  readonly problems: string[];
  /** Rendered kinds with no schema to validate against. */
  readonly unvalidated: string[];
  readonly objects: number;
  readonly valid: number;
}

/** `helm lint --strict` and `helm template` with the release's values, then the schema of every rendered object. */
export async function checkRelease(tools: Tools, release: LocalRelease, workDir: string): Promise<HelmOutcome> {
  const dir = path.join(workDir, release.stack.id, release.name);
  fs.mkdirSync(dir, { recursive: true });
  const valueArgs = release.values.flatMap((text, i) => {
    const file = path.join(dir, `values-${i}.yaml`);
    fs.writeFileSync(file, text);
    return ['--values', file];
  });
  const common = [
    ...valueArgs,
    ...release.setArgs,
    '--namespace',
    release.namespace,
    ...(release.kubeVersion ? ['--kube-version', release.kubeVersion] : []),
  ];
  // Helm keeps its own state out of $HOME: nothing here talks to a repository or a cluster.
  const env = { HELM_CACHE_HOME: path.join(dir, '.cache'), HELM_CONFIG_HOME: path.join(dir, '.config'), HELM_DATA_HOME: path.join(dir, '.data') };
  const lint = await run(tools.helm, ['lint', release.chartDir, '--strict', ...common], { env });
  const template = await run(tools.helm, ['template', release.name, release.chartDir, ...common], { env });
  const problems: string[] = [];
  const unvalidated = new Set<string>();
  let objects = 0;
  let valid = 0;
  if (template.code === 0) {
    for (const doc of parseAllDocuments(template.stdout)) {
      if (doc.errors.length) {
        problems.push(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const obj = doc.toJS() as Record<string, unknown> | null;
      if (!obj) continue;
      objects++;
      const apiVersion = String(obj.apiVersion ?? '');
      const kind = String(obj.kind ?? '');
      if (apiVersion && kind && !isKnownKind(apiVersion, kind)) {
        unvalidated.add(`${apiVersion} ${kind}`);
        continue;
      }
      const problem = validateManifest(obj);
      if (problem) problems.push(`${problem.apiVersion} ${problem.kind} ${problem.name}: ${problem.message}`);
      else valid++;
    }
  }
  return {
    lint: { ok: lint.code === 0, output: lint.output.trim() },
    template: { ok: template.code === 0, output: template.stderr.trim() },
    problems,
    unvalidated: [...unvalidated],
    objects,
    valid,
  };
}

/** Every local chart under templates/charts/, linted and rendered with the values of every release of it. */
export async function helmEngine(tools: Tools, stacks: readonly Stack[], workDir: string, report: Report): Promise<void> {
  const releases = [...localReleases(stacks), ...applicationReleases(stacks)];
  const shipped = fs.readdirSync(templatePath('charts')).filter((d) => fs.existsSync(templatePath('charts', d, 'Chart.yaml')));
  for (const chart of shipped.map((d) => chartName(templatePath('charts', d)))) {
    const count = releases.filter((r) => r.chart === chart).length;
    report.record(
      'helm',
      `chart ${chart}`,
      count > 0,
      count
        ? `released by ${count} synthesized helm_release resource(s) or Argo CD Application(s)`
        : 'no synthesized helm_release or Application installs it: nothing checks it with the values tenantctl writes',
    );
  }
  for (const release of releases) {
    const subject = `${release.stack.id} ${release.address} (${release.chart})`;
    const outcome = await checkRelease(tools, release, workDir);
    report.record(
      'helm',
      `${subject} lint`,
      outcome.lint.ok,
      outcome.lint.output
        .split('\n')
        .filter((l) => l.trim())
        .pop() ?? '',
      outcome.lint.output.split('\n').filter((l) => /\[(ERROR|WARNING|INFO)\]/.test(l)),
    );
    report.record(
      'helm',
      `${subject} template`,
      outcome.template.ok,
      outcome.template.ok ? `${outcome.objects} objects rendered` : 'helm template failed',
      outcome.template.ok ? [] : outcome.template.output.split('\n'),
    );
    if (outcome.template.ok) {
      report.record(
        'helm',
        `${subject} schemas`,
        outcome.problems.length === 0,
        `${outcome.valid} valid, ${outcome.problems.length} invalid, ${outcome.objects - outcome.valid - outcome.problems.length} without a schema`,
        outcome.problems,
      );
      if (outcome.unvalidated.length)
        report.note('helm', `${subject}: no packaged schema for ${outcome.unvalidated.join(', ')} (not schema-validated)`);
    }
  }
}
