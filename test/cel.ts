import * as vm from 'vm';

/**
 * Evaluates a ValidatingAdmissionPolicy's CEL with JavaScript, for the subset the tenant deployer
 * policy uses: string literals, list literals, ==, !=, !, &&, ||, ?:, `in` over map keys and
 * lists, has(), size() (of lists, strings and maps), startsWith, substring, indexOf, matches (RE2-compatible regexes),
 * Kubernetes' quantity() with compareTo, and the macros all, exists, filter and map. Macros become arrow functions and `in` over a list a membership
 * test; everything else means the same in both languages. A CEL error denies (failurePolicy Fail).
 */

export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly groups: readonly string[];
  /** The requester's user name (default: a tenant pipeline's run role session). */
  readonly username?: string;
  readonly object?: unknown;
  /** The namespace object of a namespaced request (`namespaceObject`). */
  readonly namespaceObject?: unknown;
}

/** The end (exclusive) of the string literal that opens at `start` ('...' or "...", with backslash escapes). */
function literalEnd(expression: string, start: number): number {
  const quote = expression[start];
  for (let i = start + 1; i < expression.length; i++) {
    if (expression[i] === '\\') i++;
    else if (expression[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string literal at ${start} in ${expression.slice(0, 80)}...`);
}

/** `x in [..]` and `x in list` test membership in CEL, not keys: list literals and the groups become membership sets. */
function wrapListLiterals(expression: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    if (expression.startsWith(' in [', i)) {
      out += ' in members([';
      i += ' in ['.length;
      let depth = 1;
      while (depth > 0) {
        const c = expression[i];
        if (c === "'" || c === '"') {
          const end = literalEnd(expression, i);
          out += expression.slice(i, end);
          i = end;
          continue;
        }
        if (c === '[') depth++;
        if (c === ']') depth--;
        out += c;
        i++;
      }
      out += ')';
      continue;
    }
    const c = expression[i];
    if (c === "'" || c === '"') {
      const end = literalEnd(expression, i);
      out += expression.slice(i, end);
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function toJavaScript(expression: string): string {
  return wrapListLiterals(expression).replace(
    /\.(all|exists|filter|map)\((\w+), /g,
    (_m, macro: string, v: string) => `.${({ all: 'every', exists: 'some' } as Record<string, string>)[macro] ?? macro}((${v}) => `,
  );
}

const PRELUDE = `
  Object.defineProperty(Array.prototype, 'size', { value: function () { return this.length; } });
  Object.defineProperty(String.prototype, 'size', { value: function () { return this.length; } });
  // Maps: the number of keys.
  Object.defineProperty(Object.prototype, 'size', { value: function () { return Object.keys(this).length; } });
  Object.defineProperty(String.prototype, 'matches', { value: function (re) { return new RegExp(re).test(this); } });
  // Array methods probe indices with the in operator too.
  var members = (list) => new Proxy(list, { has: (target, key) => target.includes(key) || Reflect.has(target, key) });
  var has = (value) => value !== undefined;
  // Kubernetes quantities (k8s.io/apimachinery resource.Quantity) as numbers of base units.
  var SUFFIXES = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  var quantity = (text) => {
    var m = /^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/.exec(text);
    if (!m) throw new Error('invalid quantity ' + text);
    var suffix = m[2] || '';
    var value = Number(m[1]) * (/^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIXES[suffix]);
    return { value, compareTo: (other) => (Math.abs(value - other.value) <= Math.abs(value) * 1e-12 ? 0 : value < other.value ? -1 : 1) };
  };
`;

const covers = (list: readonly string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

/** Whether a namespace selector (matchExpressions with Exists, the only operator the policies use) selects the namespace. */
function namespaceSelected(selector: any, namespace: any): boolean {
  if (!selector) return true;
  const labels = namespace?.metadata?.labels ?? {};
  return (selector.matchExpressions ?? []).every((e: any) => {
    if (e.operator !== 'Exists') throw new Error(`namespaceSelector operator ${e.operator} is not supported here`);
    return e.key in labels;
  });
}

/** Whether the policy admits the request: unmatched requests are admitted, matched ones must pass every validation. */
export function admits(spec: any, request: AdmissionRequest): boolean {
  const matched = spec.matchConstraints.resourceRules.some(
    (r: any) => covers(r.apiGroups, request.group) && covers(r.resources, request.resource) && covers(r.operations, request.operation),
  );
  if (!matched || !namespaceSelected(spec.matchConstraints.namespaceSelector, request.namespaceObject)) return true;
  const context = vm.createContext({});
  vm.runInContext(PRELUDE, context);
  const input = {
    request: {
      operation: request.operation,
      namespace: request.namespace,
      name: request.name,
      resource: { group: request.group, resource: request.resource },
      userInfo: { username: request.username ?? 'arn:aws:sts::111122223333:assumed-role/pipeline/session', groups: [...request.groups] },
    },
    object: request.object ?? null,
    namespaceObject: request.namespaceObject ?? null,
  };
  vm.runInContext(
    `var input = JSON.parse(${JSON.stringify(JSON.stringify(input))}); var request = input.request; var object = input.object; var ` +
      `namespaceObject = input.namespaceObject; request.userInfo.groups = members(request.userInfo.groups); var variables = {};`,
    context,
  );
  const run = (expression: string) => vm.runInContext(toJavaScript(expression), context);
  try {
    if (!(spec.matchConditions ?? []).every((c: any) => run(c.expression) === true)) return true;
    for (const v of spec.variables ?? []) context.variables[v.name] = run(v.expression);
    return spec.validations.every((v: any) => run(v.expression) === true);
  } catch {
    return false;
  }
}
