/**
 * The AWS part of a synthesized stack, as a configuration `terraform validate` and `terraform test`
 * can run offline. The machine has one real provider binary, hashicorp/aws 5.100.0 (the bindings
 * name 6.25.0; no kubernetes, helm or tfe binary exists and none can be built), so a stack is cut
 * down to its `aws_*` resources and data sources and the `aws` provider blocks, and the attributes
 * AWS provider 6.x added are stripped, each listed below with its reason.
 *
 * What is cut must not change what is checked: an AWS resource that *references* a removed
 * (non-AWS) object is an error, never silently dropped; only `depends_on` entries naming removed
 * objects are dropped (ordering does not change what validate and plan evaluate), and reported.
 */
import { escapeRegExp, glob } from './patterns';

/** Terraform JSON as cdktf writes it (`cdk.tf.json`). */
export type TerraformJson = Record<string, any>;

export interface StrippedAttribute {
  /** Resource or data source type (`aws_eks_cluster`, or `data.aws_x` for a data source). */
  readonly type: string;
  /** Path of the attribute inside the block. */
  readonly path: readonly string[];
  /** Where AWS provider 6.x added it. */
  readonly addedIn: string;
  readonly reason: string;
}

/**
 * Arguments of AWS provider 6.x that 5.100.0 does not know. Stripping them loses only what 6.x
 * itself validates about them; every other argument of the block is still checked.
 */
export const SIX_X_ONLY_ATTRIBUTES: readonly StrippedAttribute[] = [
  {
    type: 'aws_eks_cluster',
    path: ['deletion_protection'],
    addedIn: '6.9.0 (terraform-provider-aws#43779)',
    reason: 'EKS cluster deletion protection (a bool) arrived in 6.x; 5.100 rejects the argument',
  },
  {
    type: 'aws_db_proxy',
    path: ['default_auth_scheme'],
    addedIn: '6.x (terraform-provider-aws#44309)',
    reason: 'RDS Proxy end-to-end IAM authentication (default_auth_scheme = IAM_AUTH) arrived in 6.x; 5.100 rejects the argument',
  },
];

/**
 * References from an AWS block to a value of a provider that cannot be validated here, accepted
 * because carrying that value is what the AWS block is for. Each is replaced by an input variable
 * (printed), so the rest of the block is still validated; any other reference is an error, and an
 * entry no stack uses is reported stale.
 */
export interface CrossProviderInput {
  /** Address pattern of the AWS block (`*` matches any characters). */
  readonly from: string;
  /** Pattern of the referenced value, `<type>.<name>.<attribute>`. */
  readonly to: string;
  readonly reason: string;
}

export const CROSS_PROVIDER_INPUTS: readonly CrossProviderInput[] = [
  {
    from: 'aws_secretsmanager_secret_version.agent-token-secret_token_*',
    to: 'tfe_agent_token.*.token',
    reason: 'the secret hands the Terraform Cloud agent pool token (created by the tfe provider in the same stack) to the agents in the VPC',
  },
];

/** The AWS provider's resource and data source types. */
const AWS_TYPE = /^aws_/;

export interface Removed {
  /** Addresses of removed resources and data sources (`kubernetes_namespace_v1.x`, `data.helm_template.y`). */
  readonly addresses: string[];
  /** Providers whose blocks were removed, with the count of resources and data sources they own. */
  readonly providers: Record<string, number>;
}

export interface AwsOnlyResult {
  readonly config: TerraformJson;
  readonly removed: Removed;
  /** `<address>.<attribute path>` of each 6.x-only attribute stripped. */
  readonly stripped: string[];
  /** `<address> depends_on <removed address>` entries dropped. */
  readonly droppedDependsOn: string[];
  /** Outputs dropped because their value is a removed object's. */
  readonly droppedOutputs: string[];
  /** Accepted references to removed objects, each replaced by an input variable. */
  readonly standIns: { readonly block: string; readonly value: string; readonly variable: string; readonly accepted: CrossProviderInput }[];
}

export class DanglingReferenceError extends Error {}

/**
 * Cuts a stack down to what the AWS provider `version` can validate. Throws
 * DanglingReferenceError when a kept block refers to a removed one.
 */
export function awsOnly(
  stack: TerraformJson,
  version: string,
  stripList: readonly StrippedAttribute[] = SIX_X_ONLY_ATTRIBUTES,
  inputs: readonly CrossProviderInput[] = CROSS_PROVIDER_INPUTS,
): AwsOnlyResult {
  const removed: Removed = { addresses: [], providers: {} };
  const config: TerraformJson = {};
  const owner = (type: string) => type.split('_')[0];

  for (const [kind, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    const kept: TerraformJson = {};
    for (const [type, blocks] of Object.entries<Record<string, unknown>>(stack[kind] ?? {})) {
      if (AWS_TYPE.test(type)) {
        kept[type] = structuredClone(blocks);
        continue;
      }
      for (const name of Object.keys(blocks)) removed.addresses.push(`${prefix}${type}.${name}`);
      removed.providers[owner(type)] = (removed.providers[owner(type)] ?? 0) + Object.keys(blocks).length;
    }
    if (Object.keys(kept).length) config[kind] = kept;
  }
  for (const name of Object.keys(stack.provider ?? {})) {
    if (name !== 'aws') removed.providers[name] ??= 0;
  }
  if (stack.provider?.aws) config.provider = { aws: structuredClone(stack.provider.aws) };
  for (const key of ['variable', 'locals']) {
    if (stack[key]) config[key] = structuredClone(stack[key]);
  }
  // No backend or cloud block: the checks run without state, credentials or network.
  config.terraform = { required_providers: { aws: { source: 'hashicorp/aws', version } } };

  const stripped = stripAttributes(config, stripList);
  const droppedDependsOn = dropDependsOn(config, new Set(removed.addresses));
  const droppedOutputs: string[] = [];
  const outputs: TerraformJson = {};
  for (const [name, output] of Object.entries<TerraformJson>(stack.output ?? {})) {
    if (referencesTo(output, removed.addresses).length) droppedOutputs.push(`output.${name}`);
    else outputs[name] = structuredClone(output);
  }
  if (Object.keys(outputs).length) config.output = outputs;

  const standIns = standInAccepted(config, removed.addresses, inputs);
  const dangling = danglingReferences(config, removed.addresses);
  if (dangling.length) {
    throw new DanglingReferenceError(
      `AWS blocks refer to objects of providers that cannot be validated here (${Object.keys(removed.providers).join(', ')}): ${dangling.join('; ')}`,
    );
  }
  return { config, removed, stripped, droppedDependsOn, droppedOutputs, standIns };
}

function stripAttributes(config: TerraformJson, stripList: readonly StrippedAttribute[]): string[] {
  const stripped: string[] = [];
  for (const attribute of stripList) {
    const [kind, type, prefix] = attribute.type.startsWith('data.')
      ? ['data', attribute.type.slice('data.'.length), 'data.']
      : ['resource', attribute.type, ''];
    for (const [name, block] of Object.entries<TerraformJson>(config[kind]?.[type] ?? {})) {
      const parent = attribute.path.slice(0, -1).reduce<TerraformJson | undefined>((node, key) => node?.[key], block);
      const last = attribute.path[attribute.path.length - 1];
      if (parent && last in parent) {
        delete parent[last];
        stripped.push(`${prefix}${type}.${name}.${attribute.path.join('.')}`);
      }
    }
  }
  return stripped;
}

function dropDependsOn(config: TerraformJson, removed: ReadonlySet<string>): string[] {
  const dropped: string[] = [];
  for (const [address, block] of blocks(config)) {
    if (!Array.isArray(block.depends_on)) continue;
    const keep = block.depends_on.filter((dep: string) => !removed.has(dep));
    for (const dep of block.depends_on.filter((d: string) => removed.has(d))) dropped.push(`${address} depends_on ${dep}`);
    if (keep.length) block.depends_on = keep;
    else delete block.depends_on;
  }
  return dropped;
}

/** Replaces each accepted reference (`tfe_agent_token.pool.token`) by `var.<stand-in>`, declared as a string input. */
function standInAccepted(config: TerraformJson, removed: readonly string[], inputs: readonly CrossProviderInput[]): AwsOnlyResult['standIns'] {
  const standIns: AwsOnlyResult['standIns'][number][] = [];
  for (const [address, block] of blocks(config)) {
    const accepted = inputs.filter((i) => glob(i.from).test(address));
    if (!accepted.length) continue;
    const replace = (value: unknown): unknown => {
      if (typeof value === 'string') {
        return removed.reduce(
          (text, target) =>
            text.replace(
              new RegExp(`(^|[^\\w.-])(${escapeRegExp(target)}(?:\\.[A-Za-z_][\\w-]*)+)`, 'g'),
              (whole: string, before: string, reference: string) => {
                const entry = accepted.find((i) => glob(i.to).test(reference));
                if (!entry) return whole;
                const variable = `stand_in__${reference.replace(/[^A-Za-z0-9_]/g, '_')}`;
                standIns.push({ block: address, value: reference, variable, accepted: entry });
                config.variable = {
                  ...config.variable,
                  [variable]: {
                    type: 'string',
                    description: `stands in for ${reference} (not validated here)`,
                    default: `stand-in for ${reference}`,
                  },
                };
                return `${before}var.${variable}`;
              },
            ),
          value,
        );
      }
      if (Array.isArray(value)) return value.map(replace);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '//' ? v : replace(v)]));
      return value;
    };
    Object.assign(block, replace(block));
  }
  return standIns;
}

function danglingReferences(config: TerraformJson, removed: readonly string[]): string[] {
  const found: string[] = [];
  const kept: [string, unknown][] = [...blocks(config)];
  for (const [name, value] of Object.entries<unknown>(config.provider?.aws ? { 'provider.aws': config.provider.aws } : {})) kept.push([name, value]);
  for (const [name, value] of Object.entries<unknown>(config.locals ?? {})) kept.push([`local.${name}`, value]);
  for (const [name, value] of Object.entries<unknown>(config.output ?? {})) kept.push([`output.${name}`, value]);
  for (const [address, block] of kept) {
    for (const target of referencesTo(block, removed)) found.push(`${address} refers to ${target}`);
  }
  return found;
}

/** Every resource and data source block of a configuration, with its address. */
function* blocks(config: TerraformJson): Generator<[string, TerraformJson]> {
  for (const [kind, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    for (const [type, named] of Object.entries<Record<string, TerraformJson>>(config[kind] ?? {})) {
      for (const [name, block] of Object.entries(named)) yield [`${prefix}${type}.${name}`, block];
    }
  }
}

/**
 * The removed addresses `value` refers to. Every string of a synthesized block is searched (an
 * address stands only in an expression; cdktf's `//` metadata holds none), so an address nested in
 * a function call or a `for` expression is found too.
 */
function referencesTo(value: unknown, removed: readonly string[]): string[] {
  const text = JSON.stringify(value, (key, v) => (key === '//' ? undefined : v));
  return removed.filter((address) => new RegExp(`(^|[^\\w.-])${escapeRegExp(address)}([^\\w-]|$)`).test(text));
}
