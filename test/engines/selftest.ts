import * as fs from 'fs';
import * as path from 'path';
import type { TerraformJson } from './aws-only';
import { runCheckov, suppressionFor } from './checkov';
import type { Stack, WorkflowFixture } from './fixtures';
import { checkRelease, localReleases } from './helm';
import { evaluate, fixtureCases, type AdmissionInput } from './admission';
import type { Report } from './report';
import { checkStacks, type TerraformRun } from './terraform';
import { pool, type Tools } from './tools';
import { actionlint, zizmor } from './workflows';

/**
 * Deliberately broken variants of real synthesized output, each of which its engine must reject
 * (with the expected message): an engine that passes them proves nothing.
 */

interface Rejection {
  readonly rejected: boolean;
  /** What the engine said, or why the variant passed. */
  readonly evidence: string;
}

interface Variant {
  readonly engine: string;
  readonly name: string;
  readonly check: () => Promise<Rejection>;
}

/** The first block of `type` in a stack's JSON, with its address. */
function first(json: TerraformJson, type: string, where: (block: TerraformJson) => boolean = () => true): [string, TerraformJson] {
  const found = Object.entries<TerraformJson>(json.resource?.[type] ?? {}).find(([, block]) => where(block));
  if (!found) throw new Error(`the self-test needs a ${type} in the stack it breaks`);
  return found;
}

function variantOf(stack: Stack, id: string, change: (json: TerraformJson) => void): Stack {
  const json = structuredClone(stack.json);
  change(json);
  return { ...stack, id: `selftest/${id}`, json };
}

/** The first stack (named like `name`) with a resource of each of `types`: where a resource lives may change. */
function stackWith(stacks: readonly Stack[], types: readonly string[], name = /./): Stack {
  const stack = stacks.find((s) => name.test(s.name) && types.every((type) => s.json.resource?.[type]));
  if (!stack) throw new Error(`the self-test breaks a stack with ${types.join(', ')}, which no fixture stack has`);
  return stack;
}

export async function selfTest(
  tools: Tools,
  stacks: readonly Stack[],
  workflows: readonly WorkflowFixture[],
  workDir: string,
  report: Report,
): Promise<void> {
  // A tenant on dedicated nodes has every resource the terraform variants break.
  const tenant = stackWith(stacks, ['aws_eks_node_group', 'aws_iam_role', 'aws_iam_role_policy', 'kubernetes_namespace_v1'], /^tenant-/);
  const withSecurityGroupRules = stackWith(stacks, ['aws_vpc_security_group_ingress_rule']);

  // The terraform variants are validated together, in one configuration (one provider start).
  const terraformVariants: Stack[] = [];
  let terraformRun: Promise<TerraformRun> | undefined;
  /** terraform must reject the variant with a diagnostic (or AWS-only cut error) matching `expected`. */
  const validateRejects = (variant: Stack, expected: RegExp) => {
    terraformVariants.push(variant);
    return async (): Promise<Rejection> => {
      terraformRun ??= checkStacks(tools, terraformVariants, path.join(workDir, 'terraform'), { plan: false });
      const { outcomes, combined } = await terraformRun;
      if (combined.length) return { rejected: false, evidence: `the variants did not run: ${combined.join('; ')}` };
      const outcome = outcomes.find((o) => o.stack === variant)!;
      if (outcome.error) return { rejected: expected.test(outcome.error), evidence: outcome.error };
      const match = outcome.validate?.diagnostics.find((d) => expected.test(d));
      return {
        rejected: !outcome.validate?.ok && Boolean(match),
        evidence: match ?? (outcome.validate?.ok ? 'terraform validate accepted it' : (outcome.validate?.diagnostics.join('; ') ?? '')),
      };
    };
  };

  const variants: Variant[] = [
    {
      engine: 'terraform',
      name: 'invalid enum: aws_eks_node_group capacity_type "SPOTTY"',
      check: validateRejects(
        variantOf(tenant, 'invalid-enum', (json) => {
          first(json, 'aws_eks_node_group')[1].capacity_type = 'SPOTTY';
        }),
        /capacity_type/,
      ),
    },
    {
      engine: 'terraform',
      name: 'name over its limit: aws_iam_role name of 65 characters (IAM allows 64)',
      check: validateRejects(
        variantOf(tenant, 'name-too-long', (json) => {
          first(json, 'aws_iam_role')[1].name = `${tenant.name}-${'x'.repeat(64)}`.slice(0, 65);
        }),
        /name/,
      ),
    },
    {
      engine: 'terraform',
      name: 'dangling reference: aws_iam_role_policy role = aws_iam_role.missing',
      check: validateRejects(
        variantOf(tenant, 'dangling-reference', (json) => {
          first(json, 'aws_iam_role_policy')[1].role = '${aws_iam_role.missing.name}';
        }),
        /Reference to undeclared resource/,
      ),
    },
    {
      engine: 'terraform',
      name: 'AWS resource referring to a Kubernetes resource the AWS-only cut removes',
      check: validateRejects(
        variantOf(tenant, 'reference-to-removed', (json) => {
          const [namespace] = first(json, 'kubernetes_namespace_v1');
          const role = first(json, 'aws_iam_role')[1];
          role.tags = { ...role.tags, namespace: `\${kubernetes_namespace_v1.${namespace}.metadata[0].name}` };
        }),
        /refer to objects of providers that cannot be validated here/,
      ),
    },
    {
      engine: 'checkov',
      name: 'security group rule open to 0.0.0.0/0 on SSH (22)',
      check: async () => {
        let address = '';
        const variant = variantOf(withSecurityGroupRules, 'ssh-open', (json) => {
          const [name, rule] = first(json, 'aws_vpc_security_group_ingress_rule', (r) => r.cidr_ipv4 !== '0.0.0.0/0');
          Object.assign(rule, { from_port: 22, to_port: 22, ip_protocol: 'tcp', cidr_ipv4: '0.0.0.0/0' });
          delete rule.referenced_security_group_id;
          address = `aws_vpc_security_group_ingress_rule.${name}`;
        });
        const result = await runCheckov(tools, [variant], path.join(workDir, 'checkov'));
        const found = result.failed.filter((f) => f.resource === address && !suppressionFor(f));
        return {
          rejected: found.length > 0,
          evidence: found.length
            ? found.map((f) => `${f.check} ${f.resource}: ${f.name}`).join('; ')
            : `checkov reported nothing unsuppressed on ${address}`,
        };
      },
    },
    {
      engine: 'helm',
      name: 'chart rendering an invalid enum: PeerAuthentication mtls.mode STRIKT',
      check: async () => {
        const release = localReleases(stacks).find((r) => fs.readdirSync(path.join(r.chartDir, 'templates')).includes('peer-authentication.yaml'));
        if (!release) throw new Error('the self-test needs a local chart with templates/peer-authentication.yaml');
        const chartDir = path.join(workDir, 'helm-chart', path.basename(release.chartDir));
        fs.cpSync(release.chartDir, chartDir, { recursive: true });
        const file = path.join(chartDir, 'templates/peer-authentication.yaml');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('mode: STRICT', 'mode: STRIKT'));
        const outcome = await checkRelease(tools, { ...release, chartDir }, path.join(workDir, 'helm'));
        const problem = outcome.problems.find((p) => /mode/.test(p));
        return { rejected: Boolean(problem), evidence: problem ?? 'the rendered objects passed their schemas' };
      },
    },
    {
      engine: 'admission',
      name: "a quota compared with isEqualTo, which the API server's CEL does not have (its quantity has compareTo)",
      check: async () => {
        const input = admissionVariant(stacks, (v) => v.expression.replace('.compareTo(', '.isEqualTo('));
        const res = await evaluate(tools, input, path.join(workDir, 'admission', 'is-equal-to.json'));
        return { rejected: res.code === 2 && /undeclared reference to 'isEqualTo'/.test(res.error), evidence: res.error || res.summary };
      },
    },
    {
      engine: 'admission',
      name: 'a quota check that compares the limits by name only (any quantity admitted)',
      check: async () => {
        const input = admissionVariant(stacks, (v) => v.expression.replace(/ && quantity\(object\.spec\.hard\[.*\) == 0\)/, ')'));
        const res = await evaluate(tools, input, path.join(workDir, 'admission', 'names-only.json'));
        const caught = res.failures.find((f) => /its quota with twice the CPU: admitted/.test(f));
        return { rejected: res.code === 1 && Boolean(caught), evidence: caught ?? (res.summary || res.error) };
      },
    },
    {
      engine: 'workflows',
      name: 'actionlint: expression reading an output the changes job does not have',
      check: async () => {
        const broken = brokenWorkflow(workflows[0], workDir, 'expression', (text) =>
          text.replace('${{ needs.changes.outputs.stacks }}', '${{ needs.changes.outputs.stackz }}'),
        );
        const lint = await actionlint(tools, broken.root, broken.files);
        const finding = lint.findings.find((f) => /stackz/.test(f));
        return { rejected: !lint.ok && Boolean(finding), evidence: finding ?? 'actionlint accepted it' };
      },
    },
    {
      engine: 'workflows',
      name: 'zizmor: pull request title expanded into a run: script (template injection)',
      check: async () => {
        const broken = brokenWorkflow(workflows[0], workDir, 'injection', (text) =>
          text.replace('run: npm ci', 'run: echo "${{ github.event.pull_request.title }}" && npm ci'),
        );
        const audit = await zizmor(tools, broken.root);
        const finding = audit.findings.find((f) => /template-injection/.test(f));
        return { rejected: !audit.ok && Boolean(finding), evidence: finding ?? 'zizmor found nothing' };
      },
    },
  ];

  const outcomes = await pool(variants, async (variant) => ({ variant, rejection: await variant.check() }));
  for (const { variant, rejection } of outcomes) {
    report.record(
      'selftest',
      `${variant.engine}: ${variant.name}`,
      rejection.rejected,
      rejection.rejected ? `rejected: ${rejection.evidence}` : `NOT rejected: ${rejection.evidence}`,
    );
  }
}

/**
 * The admission cases of the Terraform Cloud fixture with the quota validation of the tenant
 * deployer policy rewritten by `edit` (which must change it).
 */
function admissionVariant(stacks: readonly Stack[], edit: (validation: { expression: string }) => string): AdmissionInput {
  const fixture = stacks.filter((s) => s.id.startsWith(`${stacks.find((x) => x.name === 'bootstrap-platform')?.id.split('/')[0]}/`));
  const input = fixtureCases(fixture);
  const policy = input?.policies.find((p) => p.name.endsWith('tenant-deployers'));
  const validation = policy?.spec.validations.find((v: { expression: string }) => v.expression.includes('variables.quota.all('));
  if (!input || !validation) throw new Error('the self-test breaks the quota check of the tenant deployer policy, which no fixture has');
  const changed = edit(validation);
  if (changed === validation.expression) throw new Error('the self-test edit of the quota check matched nothing');
  validation.expression = changed;
  return input;
}

/** A copy of a workflow fixture's repository with its main workflow changed by `edit` (which must change it). */
function brokenWorkflow(fixture: WorkflowFixture, workDir: string, name: string, edit: (text: string) => string): WorkflowFixture {
  const root = path.join(workDir, `workflow-${name}`);
  fs.cpSync(fixture.root, root, { recursive: true });
  const files = fixture.files.map((f) => path.join(root, path.relative(fixture.root, f)));
  const main = files.find((f) => path.basename(f) === 'tenantctl.yml');
  if (!main) throw new Error(`the self-test edits tenantctl.yml, which ${fixture.name} does not have`);
  const text = fs.readFileSync(main, 'utf8');
  const changed = edit(text);
  if (changed === text) throw new Error(`the self-test edit "${name}" matched nothing in tenantctl.yml`);
  fs.writeFileSync(main, changed);
  return { ...fixture, root, files };
}
