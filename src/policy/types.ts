import type { Suppression } from '../model/platform-schema';
import type { Project } from '../model/project';

export type Severity = 'error' | 'warning';

/** One synthesized stack: `cdktf.out/stacks/<name>/cdk.tf.json`. */
export interface StackDocument {
  readonly name: string;
  /** The parsed Terraform JSON (`resource`, `data`, `terraform`, `provider`, ...). */
  readonly json: TerraformJson;
  /** Path of the file, relative to the project when it lies inside it (SARIF artifact location). */
  readonly file?: string;
  /** The file's text, to find the line of a resource. */
  readonly text?: string;
}

export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform?: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** What the configuration says, read leniently so that config-level rules can report on it. */
export interface ConfigSnapshot {
  /** Tier names the platform defines: the stock catalog plus `platform.json` tiers. */
  readonly tiers: readonly string[];
  readonly tenants: readonly { readonly id: string; readonly tier: string; readonly file: string }[];
  readonly suppressions: readonly Suppression[];
}

/** Everything a rule may look at. */
export interface RuleContext {
  readonly stacks: readonly StackDocument[];
  /** The loaded project, when the project directory loads without error. */
  readonly project?: Project;
  /** The configuration files, when a project directory was given. */
  readonly config?: ConfigSnapshot;
}

/** A rule's description: what the README table and the SARIF driver list. */
export interface RuleInfo {
  /** `TC-<AREA>-NNN`, stable: suppressions name it. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why the rule exists. */
  readonly rationale: string;
  /** How to fix a finding. */
  readonly remediation: string;
}

/** What a rule reports; the engine adds the rule's id, title, default severity and remediation. */
export interface Violation {
  readonly stack?: string;
  /** Terraform resource address (`type.logicalId`), or a stack or file name for whole-stack findings. */
  readonly address: string;
  readonly message: string;
  /** Overrides the rule's severity (e.g. a check that cannot decide is a warning). */
  readonly severity?: Severity;
  /** The file at fault when it is not the stack's `cdk.tf.json` (a config file). */
  readonly file?: string;
}

export interface Rule extends RuleInfo {
  check(ctx: RuleContext): Violation[];
}

export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly stack?: string;
  readonly address: string;
  readonly message: string;
  readonly remediation: string;
  readonly file?: string;
  /** Set when a suppression in platform.json accepts the finding: reported, but it fails nothing. */
  readonly suppressed?: { readonly reason: string };
}

export interface ValidationReport {
  readonly stacks: readonly string[];
  readonly rules: readonly RuleInfo[];
  readonly findings: readonly Finding[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly suppressed: number };
  /** True when no unsuppressed error remains. */
  readonly ok: boolean;
}
