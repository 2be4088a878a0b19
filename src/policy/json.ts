import { tenantDbIdentifier, tenantIdOfStack, tenantNamespace } from '../model/names';
import type { StackDocument } from './types';

/**
 * Helpers to read synthesized Terraform JSON the way rules need it: provider nested blocks may
 * be an object or a list of one object, references are `${type.id.attr}` strings, and IAM
 * policies are JSON strings (possibly with tokens inside), `jsonencode(...)` expressions or
 * references to `aws_iam_policy_document` data sources.
 */

export type Json = Record<string, unknown>;

export interface ResourceRef {
  readonly stack: StackDocument;
  readonly type: string;
  readonly id: string;
  /** Terraform address: `type.id` (or `data.type.id`). */
  readonly address: string;
  readonly body: Json;
}

/**
 * What the helpers below found in a stack, by type (and kind): every rule asks again for the same
 * stack's resources, and a validation at 500 tenants would otherwise build them some 40 times. A
 * stack's document is not changed once it is read, so what was found stays true for it.
 */
interface Found {
  readonly resources: Map<string, readonly ResourceRef[]>;
  readonly manifests: Map<string | undefined, readonly ManifestRef[]>;
}
const found = new WeakMap<StackDocument, Found>();

function foundIn(stack: StackDocument): Found {
  let f = found.get(stack);
  if (!f) found.set(stack, (f = { resources: new Map(), manifests: new Map() }));
  return f;
}

/** The resources of one type, in file order. */
function resourcesOfType(stack: StackDocument, type: string): readonly ResourceRef[] {
  const byType = foundIn(stack).resources;
  let refs = byType.get(type);
  if (!refs) {
    refs = Object.entries(stack.json.resource?.[type] ?? {}).map(([id, body]) => ({ stack, type, id, address: `${type}.${id}`, body: body as Json }));
    byType.set(type, refs);
  }
  return refs;
}

/** Resources of the given types (every type when none is given), in file order. */
export function resources(stack: StackDocument, ...types: string[]): readonly ResourceRef[] {
  const wanted = types.length ? types : Object.keys(stack.json.resource ?? {});
  return wanted.length === 1 ? resourcesOfType(stack, wanted[0]) : wanted.flatMap((type) => resourcesOfType(stack, type));
}

/** Data sources of a type. */
export function dataSources(stack: StackDocument, type: string): ResourceRef[] {
  return Object.entries(stack.json.data?.[type] ?? {}).map(([id, body]) => ({ stack, type, id, address: `data.${type}.${id}`, body: body as Json }));
}

/** A nested block that providers write as `{...}` or `[{...}]`. */
export function block(value: unknown): Json | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A repeated nested block, as a list whatever its spelling. */
export function blocks(value: unknown): Json[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** The value at a dotted path, stepping through single blocks (`spec.mtls.mode`). */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    const obj = block(cur);
    if (!obj) return undefined;
    cur = obj[key];
  }
  return cur;
}

/** A string or list attribute as a list of strings (numbers become strings). */
export function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}

/** Terraform's `true` may be a boolean or the string "true". */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function isToken(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** An empty selector or block: `{}`, `[]`, `[{}]`, or objects holding only empty values. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (typeof value === 'object') return Object.values(value as Json).every(isEmpty);
  return false;
}

const REF = /\$\{((?:data\.)?[a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)\}/g;

/** Addresses (`type.id`) of the resources a string refers to. */
export function refAddresses(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(REF)].map((m) => `${m[1]}.${m[2]}`);
}

/** Resolves one reference (`type`, `id`, `.a[0].b`) to a literal value of the same stack, if it has one. */
function resolveRef(stack: StackDocument, type: string, id: string, path: string): unknown {
  const isData = type.startsWith('data.');
  const t = isData ? type.slice('data.'.length) : type;
  const body = (isData ? stack.json.data : stack.json.resource)?.[t]?.[id];
  if (!body) return undefined;
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  // A Kubernetes object's id is its name (namespaced objects: namespace/name, so only namespaces qualify).
  if (segments.length === 1 && segments[0] === 'id' && t === 'kubernetes_namespace_v1') return at(body, 'metadata.name');
  let cur: unknown = body;
  for (const seg of segments) {
    if (/^\d+$/.test(seg)) cur = Array.isArray(cur) ? cur[Number(seg)] : cur;
    else cur = block(cur)?.[seg];
    if (cur === undefined) return undefined;
  }
  return typeof cur === 'string' || typeof cur === 'number' ? cur : undefined;
}

/**
 * Replaces references to literal attributes of the same stack by their values
 * (`${kubernetes_namespace_v1.ns.metadata[0].name}` -> `tenant-acme`).
 */
export function resolveString(stack: StackDocument, value: string): string {
  return value.replace(REF, (whole, type: string, id: string, path: string) => {
    const v = resolveRef(stack, type, id, path);
    return v === undefined || isToken(v) ? whole : String(v);
  });
}

/** A string attribute with references resolved; undefined for non-strings. */
export function resolved(stack: StackDocument, value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? resolveString(stack, value) : undefined;
}

// ---------------------------------------------------------------------------------------------
// IAM policies

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  /** `*` or principal type -> identifiers. */
  readonly principal: '*' | Record<string, string[]>;
  /** Condition operator -> key -> values. */
  readonly conditions: Record<string, Record<string, string[]>>;
}

/**
 * Parses a policy attribute into its statements, or undefined when it cannot be read. Accepts a
 * JSON string (tokens inside strings are fine), a `${jsonencode(...)}` expression and a
 * reference to an `aws_iam_policy_document` data source of the same stack.
 */
export function parsePolicy(stack: StackDocument, value: unknown): PolicyStatement[] | undefined {
  let doc: unknown = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const dataRef = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$/.exec(trimmed);
    const encoded = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(trimmed);
    if (dataRef) {
      const data = stack.json.data?.aws_iam_policy_document?.[dataRef[1]];
      return data ? policyDocumentStatements(data as Json) : undefined;
    }
    const { text, restore } = protectTokens(encoded ? hclToJson(encoded[1]) : trimmed);
    try {
      doc = restore(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  const statements = block(doc)?.Statement;
  if (statements === undefined) return undefined;
  return (Array.isArray(statements) ? statements : [statements])
    .filter((s): s is Json => typeof s === 'object' && s !== null)
    .map(normaliseStatement);
}

function normaliseStatement(s: Json): PolicyStatement {
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const [op, entries] of Object.entries(block(s.Condition) ?? {})) {
    conditions[op] = Object.fromEntries(Object.entries(block(entries) ?? {}).map(([k, v]) => [k, strings(v)]));
  }
  const p = s.Principal;
  const principal = p === '*' ? '*' : Object.fromEntries(Object.entries(block(p) ?? {}).map(([k, v]) => [k, strings(v)]));
  return {
    sid: typeof s.Sid === 'string' ? s.Sid : undefined,
    effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    principal,
    conditions,
  };
}

/** The statements of an `aws_iam_policy_document` data source. */
function policyDocumentStatements(data: Json): PolicyStatement[] {
  return blocks(data.statement).map((s) => {
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const c of blocks(s.condition)) {
      const op = String(c.test);
      conditions[op] = { ...conditions[op], [String(c.variable)]: strings(c.values) };
    }
    const principal: Record<string, string[]> = {};
    for (const p of blocks(s.principals)) principal[String(p.type)] = [...(principal[String(p.type)] ?? []), ...strings(p.identifiers)];
    return {
      sid: typeof s.sid === 'string' ? s.sid : undefined,
      effect: typeof s.effect === 'string' ? s.effect : 'Allow',
      actions: strings(s.actions),
      notActions: strings(s.not_actions),
      resources: strings(s.resources),
      principal,
      conditions,
    };
  });
}

/** End (exclusive) of the `${...}` expression starting at `start`, skipping nested braces and HCL strings. */
function tokenEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

/**
 * Swaps every `${...}` in a policy text for a placeholder before JSON.parse: Terraform
 * interpolates before it parses, so a token may hold unescaped quotes (`${replace(x, "https://", "")}`).
 * `restore` puts the tokens back into the parsed keys and values.
 */
function protectTokens(text: string): { text: string; restore: (value: unknown) => unknown } {
  const tokens: string[] = [];
  let out = '';
  let i = 0;
  for (let at = text.indexOf('${'); at >= 0; at = text.indexOf('${', i)) {
    const end = tokenEnd(text, at);
    out += `${text.slice(i, at)}@@tenantctl-token-${tokens.length}@@`;
    tokens.push(text.slice(at, end));
    i = end;
  }
  out += text.slice(i);
  const put = (s: string) => s.replace(/@@tenantctl-token-(\d+)@@/g, (_, n: string) => tokens[Number(n)]);
  const restore = (value: unknown): unknown => {
    if (typeof value === 'string') return put(value);
    if (Array.isArray(value)) return value.map(restore);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [put(k), restore(v)]));
    return value;
  };
  return { text: out, restore };
}

/**
 * Turns the HCL object syntax cdktf writes inside `jsonencode(...)` into JSON: `=` separators
 * become `:` and bare expressions (references, function calls) become `${...}` strings.
 */
export function hclToJson(hcl: string): string {
  let out = '';
  let i = 0;
  const readString = (start: number): number => {
    let j = start + 1;
    while (j < hcl.length && hcl[j] !== '"') j += hcl[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  while (i < hcl.length) {
    const c = hcl[i];
    if (c === '"') {
      const end = readString(i);
      out += hcl.slice(i, end);
      i = end;
    } else if ('{}[],:'.includes(c) || /\s/.test(c)) {
      out += c;
      i++;
    } else if (c === '=') {
      out += ':';
      i++;
    } else {
      let j = i;
      let depth = 0;
      while (j < hcl.length) {
        const d = hcl[j];
        if (d === '"') {
          j = readString(j);
          continue;
        }
        if (d === '(' || d === '[' || d === '{') depth++;
        else if (d === ')' || d === ']' || d === '}') {
          if (depth === 0) break;
          depth--;
        } else if ((d === ',' || d === '\n') && depth === 0) break;
        j++;
      }
      const expr = hcl.slice(i, j).trim();
      out += /^(-?\d+(\.\d+)?|true|false|null)$/.test(expr) ? expr : JSON.stringify(`\${${expr}}`);
      i = j;
    }
  }
  return out;
}

export interface IdentityPolicy {
  /** Address of the resource that carries the policy. */
  readonly address: string;
  readonly resource: ResourceRef;
  /** Undefined when the policy could not be parsed. */
  readonly statements: PolicyStatement[] | undefined;
}

/** Identity-based policies of a stack: managed, inline (role, user, group) and a role's `inline_policy` blocks. */
export function identityPolicies(stack: StackDocument): IdentityPolicy[] {
  const out: IdentityPolicy[] = [];
  for (const r of resources(stack, 'aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy')) {
    out.push({ address: r.address, resource: r, statements: parsePolicy(stack, r.body.policy) });
  }
  for (const r of resources(stack, 'aws_iam_role')) {
    for (const inline of blocks(r.body.inline_policy)) {
      if (inline.policy !== undefined) out.push({ address: r.address, resource: r, statements: parsePolicy(stack, inline.policy) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects and tenant stacks

/** The namespace of a Kubernetes resource or `kubernetes_manifest`, references resolved. */
export function namespaceOf(r: ResourceRef): string | undefined {
  const metadata = r.type === 'kubernetes_manifest' ? at(r.body.manifest, 'metadata') : r.body.metadata;
  return resolved(r.stack, at(metadata, 'namespace'));
}

export interface ManifestRef extends ResourceRef {
  readonly manifest: Json;
}

/** `kubernetes_manifest` resources, optionally of one kind. */
export function manifests(stack: StackDocument, kind?: string): readonly ManifestRef[] {
  const byKind = foundIn(stack).manifests;
  let refs = byKind.get(kind);
  if (!refs) {
    refs =
      kind === undefined
        ? resources(stack, 'kubernetes_manifest').map((r) => ({ ...r, manifest: block(r.body.manifest) ?? {} }))
        : manifests(stack).filter((m) => m.manifest.kind === kind);
    byKind.set(kind, refs);
  }
  return refs;
}

/** An active tenant's stack with what isolation rules compare against. */
export interface TenantStackInfo {
  readonly stack: StackDocument;
  readonly id: string;
  /** The namespace the stack creates (or `tenant-<id>` when it creates none). */
  readonly namespace: string;
  readonly namespaceResource?: ResourceRef;
  /** The tenant's database user, `tenant_<id>`. */
  readonly dbUser: string;
}

/**
 * Active tenant stacks: `tenant-<id>` stacks not marked removed (a removed tenant's stack keeps
 * no resources of the tenant; its provider tags say `tenantctl:status = removed`).
 */
export function tenantStacks(stacks: readonly StackDocument[], project?: TenantsOfProject): readonly TenantStackInfo[] {
  // Asked by a dozen rules of the same validation: found once per list of stacks and project.
  let byProject = tenantStacksFound.get(stacks);
  if (!byProject) tenantStacksFound.set(stacks, (byProject = new Map()));
  let infos = byProject.get(project);
  if (!infos) byProject.set(project, (infos = findTenantStacks(stacks, project)));
  return infos;
}

type TenantsOfProject = { tenants: readonly { id: string; status: string; names: { namespace: string; dbRole: string } }[] };
const tenantStacksFound = new WeakMap<readonly StackDocument[], Map<TenantsOfProject | undefined, readonly TenantStackInfo[]>>();

function findTenantStacks(stacks: readonly StackDocument[], project: TenantsOfProject | undefined): TenantStackInfo[] {
  const out: TenantStackInfo[] = [];
  const tenantsById = new Map<string, TenantsOfProject['tenants'][number]>();
  for (const t of project?.tenants ?? []) if (!tenantsById.has(t.id)) tenantsById.set(t.id, t);
  for (const stack of stacks) {
    const id = tenantIdOfStack(stack.name);
    if (!id) continue;
    const tenant = tenantsById.get(id);
    const tags = at(at(block(stack.json.provider?.aws), 'default_tags'), 'tags') as Json | undefined;
    if (tenant?.status === 'removed' || tags?.['tenantctl:status'] === 'removed') continue;
    const namespaces = resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace');
    const expected = tenant?.names.namespace ?? tenantNamespace(id);
    const namespaceResource = namespaces.find((n) => at(n.body.metadata, 'name') === expected) ?? namespaces[0];
    const name = namespaceResource && resolved(stack, at(namespaceResource.body.metadata, 'name'));
    out.push({ stack, id, namespace: name ?? expected, namespaceResource, dbUser: tenant?.names.dbRole ?? tenantDbIdentifier(id) });
  }
  return out;
}
