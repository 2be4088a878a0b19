import * as fs from 'fs';
import * as path from 'path';
import {
  awsOnly,
  CROSS_PROVIDER_INPUTS,
  DanglingReferenceError,
  SIX_X_ONLY_ATTRIBUTES,
  type AwsOnlyResult,
  type CrossProviderInput,
  type TerraformJson,
} from './aws-only';
import type { Stack } from './fixtures';
import { CERTIFICATE_ARN, mockProviders } from './mocks';
import type { Report } from './report';
import { run, type Tools } from './tools';

/**
 * terraform over the AWS part of every stack. All stacks are checked together, each stack a child
 * module with its providers passed in from a root: terraform starts one AWS provider process (the
 * 700 MB binary and its schema, ~1 s of CPU) per provider configuration, not per resource, and a
 * diagnostic names its file, so each finding is still attributed to its stack.
 *
 * - `validate/`: every stack's own provider configurations, hoisted to the root under unique
 *   aliases, so they are validated too.
 * - `plan/`: one mocked provider per alias name (`aws`, `aws.platform`, ...) shared by all stacks:
 *   a mock ignores the configuration, and sharing keeps `terraform test` to a few provider
 *   processes.
 */

interface Prepared {
  readonly stack: Stack;
  /** Its module name in the combined configuration. */
  readonly module: string;
  readonly cut: AwsOnlyResult;
}

export interface Verdict {
  readonly ok: boolean;
  readonly diagnostics: string[];
}

export interface StackOutcome {
  readonly stack: Stack;
  /** The accepted cross-provider references of the stack, replaced by input variables. */
  readonly standIns: AwsOnlyResult['standIns'];
  /** Why the stack could not be cut down to AWS (a reference to a removed object). */
  readonly error?: string;
  readonly validate?: Verdict;
  readonly test?: Verdict;
  readonly notes: string[];
}

export interface TerraformRun {
  readonly outcomes: StackOutcome[];
  /** Failures that name no stack's file (init, the combined root). */
  readonly combined: string[];
}

const STACKS_DIR = 'stacks';
const VALIDATE_DIR = 'validate';
const PLAN_DIR = 'plan';
const moduleName = (stack: Stack) => stack.id.replace(/[^A-Za-z0-9_-]/g, '__');
const providerAlias = (module: string, alias: string | undefined) => `${module}__${alias ?? 'default'}`;

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number } };
}

const describe = (d: Diagnostic) =>
  `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.range ? ` [${d.range.filename.split('/').pop()}:${d.range.start.line}]` : ''}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').slice(0, 600)}` : ''}`;

/** The stack a diagnostic's file belongs to (`../stacks/<fixture>/<stack>/main.tf.json`), if any. */
function stackOfDiagnostic(d: Diagnostic, prepared: readonly Prepared[]): Prepared | undefined {
  const file = d.range && path.posix.normalize(d.range.filename.split(path.sep).join('/')).replace(/^(\.\.\/)+/, '');
  return file ? prepared.find((p) => file.startsWith(`${STACKS_DIR}/${p.stack.id}/`)) : undefined;
}

/**
 * The child module of a stack: its AWS blocks without provider configurations (a module that
 * configures providers cannot have them mocked), declaring the aliases it is passed.
 */
function childModule(p: Prepared, version: string): TerraformJson {
  const { provider, terraform: _terraform, ...blocks } = p.cut.config;
  const aliases = ([provider?.aws ?? []].flat() as TerraformJson[]).map((c) => c.alias as string | undefined).filter((a): a is string => Boolean(a));
  return {
    ...blocks,
    terraform: {
      required_providers: {
        aws: { source: 'hashicorp/aws', version, ...(aliases.length ? { configuration_aliases: aliases.map((a) => `aws.${a}`) } : {}) },
      },
    },
  };
}

const providerConfigs = (p: Prepared) => [p.cut.config.provider?.aws ?? []].flat() as TerraformJson[];

/**
 * A root calling every stack as a module. `providers` gives, for a stack's provider
 * configuration, the root configuration it is passed (and its alias there).
 */
function rootModule(
  prepared: readonly Prepared[],
  version: string,
  providers: (p: Prepared, config: TerraformJson) => { alias: string; config: TerraformJson },
): TerraformJson {
  const configs = new Map<string, TerraformJson>();
  const variables: Record<string, TerraformJson> = {};
  const modules: Record<string, TerraformJson> = {};
  for (const p of prepared) {
    const passed: Record<string, string> = {};
    for (const config of providerConfigs(p)) {
      const root = providers(p, config);
      configs.set(root.alias, { ...root.config, alias: root.alias });
      passed[config.alias ? `aws.${config.alias}` : 'aws'] = `aws.${root.alias}`;
    }
    for (const [name, variable] of Object.entries<TerraformJson>(p.cut.config.variable ?? {})) {
      if (variables[name] && JSON.stringify(variables[name]) !== JSON.stringify(variable))
        throw new Error(`${p.stack.id}: variable ${name} differs from another stack's; the combined configuration has one of each name`);
      variables[name] = variable;
    }
    modules[p.module] = {
      source: `../${STACKS_DIR}/${p.stack.id}`,
      providers: passed,
      ...Object.fromEntries(Object.keys(p.cut.config.variable ?? {}).map((name) => [name, `\${var.${name}}`])),
    };
  }
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } },
    ...(configs.size ? { provider: { aws: [...configs.values()] } } : {}),
    ...(Object.keys(variables).length ? { variable: variables } : {}),
    module: modules,
  };
}

/** Every stack's provider configurations, each under its own alias: validated as the stack has them. */
function validateRoot(prepared: readonly Prepared[], version: string): TerraformJson {
  return rootModule(prepared, version, (p, { alias, ...config }) => {
    const text = JSON.stringify(config);
    // Hoisted to the root, a provider configuration can refer to nothing but input variables.
    if (/\$\{[^}]*\b(data|local|module)\.|\$\{[^}]*\baws_[a-z0-9_]+\./.test(text)) {
      throw new Error(
        `${p.stack.id}: an aws provider configuration refers to more than input variables (${text.slice(0, 300)}); the engines pass ` +
          `providers in from the root`,
      );
    }
    return { alias: providerAlias(p.module, alias), config };
  });
}

/** One empty (mocked) provider configuration per alias name, shared by every stack. */
function planRoot(prepared: readonly Prepared[], version: string): TerraformJson {
  return rootModule(prepared, version, (_, { alias }) => ({ alias: alias ?? 'default', config: {} }));
}

/**
 * Values of the input variables Terraform Cloud sets (a plan needs every variable without a
 * default). `tfc_aws_dynamic_credentials` is what dynamic provider credentials pass: a shared
 * config file for the default provider and one per alias the configuration names.
 */
function testVariables(root: TerraformJson, children: readonly TerraformJson[]): string[] {
  return Object.entries<TerraformJson>(root.variable ?? {})
    .filter(([, variable]) => !('default' in variable))
    .map(([name]) => {
      if (name !== 'tfc_aws_dynamic_credentials')
        throw new Error(`variable ${name} has no default and the engines know no value for it: add one to testVariables (test/engines/terraform.ts)`);
      const text = JSON.stringify([root, ...children]);
      const aliases = [...new Set([...text.matchAll(/var\.tfc_aws_dynamic_credentials\.aliases\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))];
      const file = (alias: string) => `{ shared_config_file = "/tfc/credentials/${alias}" }`;
      return `  ${name} = { default = ${file('default')}, aliases = { ${aliases.map((a) => `${a} = ${file(a)}`).join(', ')} } }`;
    });
}

/**
 * Values the real AWS provider knows at plan time and a mock does not. An ACM certificate's
 * domain_validation_options are computed at plan from its domain names (so a for_each over them
 * plans); a mock would leave the whole set unknown. Overridden during plan, the certificate's
 * other computed attributes become concrete too, so its ARN is given its real format.
 */
function planTimeOverrides(prepared: readonly Prepared[]): string[] {
  return prepared.flatMap((p) =>
    Object.entries<TerraformJson>(p.cut.config.resource?.aws_acm_certificate ?? {}).map(([name, cert]) => {
      const domains = [cert.domain_name as string, ...((cert.subject_alternative_names as string[] | undefined) ?? [])];
      const options = domains.map((d) => {
        const base = d.replace(/^\*\./, '');
        return (
          `{ domain_name = "${d}", resource_record_name = "_validation.${base}.", resource_record_type = "CNAME", ` +
          `resource_record_value = "_validation.acm-validations.aws." }`
        );
      });
      return [
        'override_resource {',
        `  target          = module.${p.module}.aws_acm_certificate.${name}`,
        '  override_during = plan',
        `  values          = { arn = "${CERTIFICATE_ARN}", domain_validation_options = [${options.join(', ')}] }`,
        '}',
      ].join('\n');
    }),
  );
}

function testFile(root: TerraformJson, children: readonly TerraformJson[], prepared: readonly Prepared[]): string {
  const mocks = mockProviders(([root.provider?.aws ?? []].flat() as TerraformJson[]).map((c) => c.alias as string));
  const variables = testVariables(root, children);
  return [
    '# Written by the tenantctl engines: one plan of every stack, every AWS provider mocked (no credentials, no network).',
    ...mocks,
    ...(variables.length ? ['variables {', ...variables, '}'] : []),
    ...planTimeOverrides(prepared),
    'run "plan" {',
    '  command = plan',
    '}',
    '',
  ].join('\n');
}

/** Cuts each stack down to AWS, then runs init, validate and (unless `plan` is false) test over all of them at once. */
export async function checkStacks(tools: Tools, stacks: readonly Stack[], workDir: string, options: { plan?: boolean } = {}): Promise<TerraformRun> {
  const outcomes = new Map<Stack, { error?: string; validate?: Verdict; test?: Verdict; notes: string[]; standIns: AwsOnlyResult['standIns'] }>();
  const prepared: Prepared[] = [];
  for (const stack of stacks) {
    const notes: string[] = [];
    outcomes.set(stack, { notes, standIns: [] });
    let cut: AwsOnlyResult;
    try {
      cut = awsOnly(stack.json, tools.awsProviderVersion);
    } catch (err) {
      if (!(err instanceof DanglingReferenceError)) throw err;
      outcomes.get(stack)!.error = err.message;
      continue;
    }
    const unvalidated = Object.entries(cut.removed.providers).map(
      ([provider, count]) =>
        `${provider} ${stack.json.terraform?.required_providers?.[provider]?.version ?? ''} (${count ? `${count} resources and data sources` : 'its provider block'})`,
    );
    if (unvalidated.length) notes.push(`not validated: ${unvalidated.join(', ')}`);
    if (cut.stripped.length) notes.push(`stripped 6.x-only: ${cut.stripped.join(', ')}`);
    if (cut.droppedDependsOn.length)
      notes.push(`dropped ${cut.droppedDependsOn.length} depends_on entries naming removed objects: ${cut.droppedDependsOn.join(', ')}`);
    if (cut.droppedOutputs.length) notes.push(`dropped outputs of removed objects: ${cut.droppedOutputs.join(', ')}`);
    for (const standIn of cut.standIns)
      notes.push(`${standIn.block}: ${standIn.value} replaced by var.${standIn.variable} (accepted: ${standIn.accepted.reason})`);
    outcomes.get(stack)!.standIns = cut.standIns;
    if (!cut.config.provider) notes.push('no AWS provider in this stack: nothing terraform can validate here');
    else prepared.push({ stack, module: moduleName(stack), cut });
  }
  const combined: string[] = [];
  const result = () => ({ outcomes: stacks.map((stack) => ({ stack, ...outcomes.get(stack)! })), combined });
  if (!prepared.length) return result();

  fs.rmSync(workDir, { recursive: true, force: true });
  const children = prepared.map((p) => childModule(p, tools.awsProviderVersion));
  prepared.forEach((p, i) => {
    fs.mkdirSync(path.join(workDir, STACKS_DIR, p.stack.id), { recursive: true });
    fs.writeFileSync(path.join(workDir, STACKS_DIR, p.stack.id, 'main.tf.json'), JSON.stringify(children[i], null, 2));
  });
  const write = (dir: string, file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(workDir, dir, file)), { recursive: true });
    fs.writeFileSync(path.join(workDir, dir, file), text);
  };
  const writePlan = (included: readonly Prepared[]) => {
    const root = planRoot(included, tools.awsProviderVersion);
    write(PLAN_DIR, 'main.tf.json', JSON.stringify(root, null, 2));
    write(PLAN_DIR, 'tests/plan.tftest.hcl', testFile(root, children, included));
  };
  write(VALIDATE_DIR, 'main.tf.json', JSON.stringify(validateRoot(prepared, tools.awsProviderVersion), null, 2));
  const plan = options.plan !== false;
  if (plan) writePlan(prepared);

  const tf = (dir: string, ...args: string[]) => run(tools.terraform, args, { cwd: path.join(workDir, dir) });
  const dirs = plan ? [VALIDATE_DIR, PLAN_DIR] : [VALIDATE_DIR];
  // One init at a time: concurrent inits race on the plugin cache.
  for (const dir of dirs) {
    const init = await tf(dir, 'init', '-backend=false', '-input=false', '-no-color');
    if (init.code !== 0) {
      combined.push(`terraform init failed:\n${init.output}`);
      return result();
    }
  }

  /** Splits diagnostics by stack; those naming no stack's file fail the combined run. */
  const attribute = (diagnostics: Diagnostic[], ok: boolean, key: 'validate' | 'test', what: string) => {
    const byStack = new Map<Prepared, Diagnostic[]>();
    const unattributed: Diagnostic[] = [];
    for (const d of diagnostics) {
      const p = stackOfDiagnostic(d, prepared);
      if (p) byStack.set(p, [...(byStack.get(p) ?? []), d]);
      else unattributed.push(d);
    }
    const rootFailed = !ok && (unattributed.some((d) => d.severity === 'error') || byStack.size === 0);
    if (rootFailed) combined.push(`${what} failed outside any stack's file:\n${unattributed.map(describe).join('\n') || '(no diagnostic)'}`);
    for (const p of key === 'test' ? prepared.filter((q) => outcomes.get(q.stack)!.validate?.ok) : prepared) {
      const mine = byStack.get(p) ?? [];
      outcomes.get(p.stack)![key] = { ok: !rootFailed && !mine.some((d) => d.severity === 'error'), diagnostics: mine.map(describe) };
    }
  };

  // validate and test are independent: they run side by side.
  const [validate, planned] = await Promise.all([
    tf(VALIDATE_DIR, 'validate', '-json', '-no-color'),
    plan ? tf(PLAN_DIR, 'test', '-json', '-no-color') : undefined,
  ]);
  const parsed = JSON.parse(validate.stdout) as { valid: boolean; diagnostics: Diagnostic[] };
  attribute(parsed.diagnostics, parsed.valid && validate.code === 0, 'validate', 'terraform validate');
  if (!planned) return result();
  let test = planned;
  // An invalid stack cannot be planned: the others are planned again, without it.
  const valid = prepared.filter((p) => outcomes.get(p.stack)!.validate?.ok);
  if (valid.length < prepared.length) {
    for (const p of prepared.filter((q) => !valid.includes(q))) outcomes.get(p.stack)!.notes.push('not planned: its configuration is invalid');
    if (!valid.length) return result();
    writePlan(valid);
    test = await tf(PLAN_DIR, 'test', '-json', '-no-color');
  }
  const messages = test.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; diagnostic?: Diagnostic });
  attribute(
    messages.filter((m) => m.type === 'diagnostic' && m.diagnostic).map((m) => m.diagnostic!),
    test.code === 0,
    'test',
    `terraform test (exit ${test.code})`,
  );
  return result();
}

/** `terraform init`, `validate` and `test` (a mocked plan) on the AWS part of every stack. */
export async function terraformEngine(tools: Tools, stacks: readonly Stack[], workDir: string, report: Report): Promise<void> {
  const versions = [
    ...new Set(
      stacks.flatMap((s) =>
        Object.entries<{ version: string }>(s.json.terraform?.required_providers ?? {}).map(([name, p]) => `${name} ${p.version}`),
      ),
    ),
  ].sort();
  report.note('terraform', `validated with hashicorp/aws ${tools.awsProviderVersion} only (the bindings name ${versions.join(', ')})`, [
    'no kubernetes, helm or tfe provider binary exists on this machine and the Go module proxy serves no HashiCorp provider module: their ' +
      'resources are cut, and named per stack below',
    ...SIX_X_ONLY_ATTRIBUTES.map((a) => `stripped before validation: ${a.type}.${a.path.join('.')} (added in ${a.addedIn}): ${a.reason}`),
  ]);
  const { outcomes, combined } = await checkStacks(tools, stacks, workDir);
  const used = new Set<CrossProviderInput>(outcomes.flatMap((o) => o.standIns.map((s) => s.accepted)));
  const stale = CROSS_PROVIDER_INPUTS.filter((i) => !used.has(i));
  report.record(
    'terraform',
    'accepted cross-provider references',
    stale.length === 0,
    `${CROSS_PROVIDER_INPUTS.length} in test/engines/aws-only.ts, ${stale.length} stale`,
    CROSS_PROVIDER_INPUTS.map((i) => `${used.has(i) ? 'used' : 'STALE'} ${i.from} -> ${i.to}: ${i.reason}`),
  );
  for (const failure of combined) report.record('terraform', 'combined configuration', false, failure.split('\n')[0], failure.split('\n').slice(1));
  for (const outcome of outcomes) {
    const id = outcome.stack.id;
    if (outcome.error) report.record('terraform', `${id} aws-only`, false, outcome.error);
    if (outcome.validate)
      report.record(
        'terraform',
        `${id} validate`,
        outcome.validate.ok,
        outcome.validate.ok ? 'Success! The configuration is valid.' : 'invalid',
        outcome.validate.diagnostics,
      );
    if (outcome.test)
      report.record(
        'terraform',
        `${id} test`,
        outcome.test.ok,
        outcome.test.ok ? 'plan with mocked providers succeeded' : 'plan failed',
        outcome.test.diagnostics,
      );
    if (outcome.notes.length) report.note('terraform', id, outcome.notes);
  }
}
