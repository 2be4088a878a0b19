/**
 * The one place tenantctl changes how cdktf synthesizes (cdktf 0.21.0; test/synth/cdktf-tuning.test.ts
 * pins the source of every function touched here, so an upgrade that moves them fails loudly).
 * A CPU profile of a 500-tenant synth spends about 2% in tenantctl and most of the rest on things
 * tenantctl never uses; each is removed without changing a byte of output:
 *
 * - Creation stack traces: every token, lazy value and complex object records a full stack trace
 *   (with `Error.stackTraceLimit` raised for it) and keeps it for the life of the App, only to
 *   quote it if that token fails to resolve. That is a fifth of the CPU, most of the garbage
 *   collection and half of the peak memory; the `stackTraces: false` App option does not cover it.
 * - The preparing resolve pass (`prepareStack`), a full resolve of every element whose only effect
 *   is to turn cross-stack references into remote state. tenantctl's stacks find each other by
 *   deterministic names and never reference one another: a reference that crosses stacks is
 *   refused with an error instead of being rendered wrong.
 * - The final resolve of the merged document in `toTerraform`, whose parts were each resolved
 *   just before; it stays when a stack has stack-level overrides (only they are merged unresolved).
 * - The copy of every element's fragment into that document: `deepMerge` rebuilds each object of
 *   the fragments, testing every value for a token. The fragments are fresh copies, resolved just
 *   before and used for nothing else, so their objects are taken over where the document has none
 *   yet and cdktf's copy would be equal to them; where it has one (the `terraform` and `provider`
 *   blocks every provider adds to) they are merged key by key as cdktf merges them (mergeFragment).
 *   Again not with stack overrides.
 * - The resolve of plain values. cdktf's resolver builds two contexts, a path and several regular
 *   expression tests for every key and value, although most of a stack (manifests, policies,
 *   tags) holds no token at all. Plain strings, numbers, arrays and objects are copied as the
 *   resolver would copy them (undefined dropped); anything that is or may hold a token (a
 *   resolvable, a construct, a string that mentions a token or looks like an encoded number, a
 *   token number, a reserved map value) goes to cdktf's resolver as it is.
 * - The snake case of every meta-argument key of every element, made again by three regular
 *   expressions each time: each key's is remembered (keysToSnakeCase).
 * - The token registry keeps every token of every stack for the life of the process: after each
 *   stack is written its tokens are released (synthesizeApp in app.ts), so memory holds one stack.
 * - The key-sorted JSON writer (json-stable-stringify), a fifth of the CPU: an exact, faster
 *   equivalent takes its place (stable-json.ts, installed by the first import below).
 * - Loading packages cdktf requires but tenantctl never calls (archiver, semver): about 90 ms of
 *   every thread; they load on first use instead (deferred-packages.ts, the second import below).
 *
 * `TENANTCTL_STACK_TRACES=1` restores cdktf's stock behaviour for the process (to see where a
 * token that fails to resolve was created); the byte-identity test compares the two modes.
 */
// First: they must be in place before cdktf's first module loads (stable-json-install.ts, deferred-packages.ts).
import { useOriginalStableJson } from './stable-json-install';
import './deferred-packages';
import { TerraformStack } from 'cdktf/lib/terraform-stack';
import { DefaultTokenResolver, StringConcat } from 'cdktf/lib/tokens/resolvable';
import { Token, Tokenization } from 'cdktf/lib/tokens/token';
import { ref } from 'cdktf/lib/tfExpression';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';
import { TenantctlError } from '../model/errors';

/** Set to `1` to synthesize with cdktf's stock behaviour, stack traces included. */
export const STACK_TRACES_ENV = 'TENANTCTL_STACK_TRACES';

type Resolve = (scope: unknown, obj: unknown, preparing?: boolean) => unknown;
type CaptureStackTrace = (below?: (...args: never[]) => unknown) => string[];
interface ResolveContext {
  readonly scope: unknown;
  readonly preparing: boolean;
}
interface Reference {
  readonly identifier: string;
  readonly originStack?: TerraformStack;
  resolve(context: ResolveContext): unknown;
}

/** The cdktf modules whose exports are replaced (cdktf calls them through these module objects). */
const stackTraceModule = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: CaptureStackTrace };
const tokensModule = require('cdktf/lib/_tokens') as { resolve: Resolve };
const referencePrototype = Object.getPrototypeOf(ref('tenantctl')) as Reference;
const stackPrototype = TerraformStack.prototype as unknown as { prepareStack(): void; toTerraform(): unknown; rawOverrides: object };
type DeepMerge = (target: unknown, ...sources: unknown[]) => unknown;
type KeysToSnakeCase = (object: unknown) => unknown;
const utilModule = require('cdktf/lib/util') as { deepMerge: DeepMerge; keysToSnakeCase: KeysToSnakeCase; snakeCase: (key: string) => string };

/** The stock functions, kept to delegate to and to restore. */
export const STOCK = {
  captureStackTrace: stackTraceModule.captureStackTrace,
  resolve: tokensModule.resolve,
  prepareStack: stackPrototype.prepareStack,
  toTerraform: stackPrototype.toTerraform,
  referenceResolve: referencePrototype.resolve,
  deepMerge: utilModule.deepMerge,
  keysToSnakeCase: utilModule.keysToSnakeCase,
} as const;

/** What a token error quotes as the creation stack while traces are off: how to get them. */
const NO_TRACE: readonly string[] = Object.freeze([`(creation stack traces are off: run again with ${STACK_TRACES_ENV}=1 to see them)`]);

/** The stack whose merged document toTerraform is about to return, while it builds it. */
let documentOf: unknown;

/**
 * A string cdktf's resolver might change or refuse: one naming a token (`${TfToken[`, `#{TfToken[`,
 * `&{TfToken[`), or matching (a superset of) its pattern for token numbers inside strings.
 */
const MAYBE_TOKEN_STRING = /TfToken\[|[-|\d.+]e[-|\d.eE+]/;
/** The map-token placeholders, which the resolver refuses in a scalar position. */
const MAP_TOKEN_STRINGS: ReadonlySet<unknown> = new Set([Token.STRING_MAP_TOKEN_VALUE, Token.ANY_MAP_TOKEN_VALUE]);
/** Token numbers are negative doubles near -1.8e289; every number above this is a plain number. */
const TOKEN_NUMBERS_BELOW = -1e280;
/** Below cdktf's own depth limit (200), so that a cyclic value still fails where and as cdktf fails it. */
const PLAIN_DEPTH = 100;

const isPlainString = (s: string) => !MAYBE_TOKEN_STRING.test(s) && !MAP_TOKEN_STRINGS.has(s);
const isPlainNumber = (n: number) => n > TOKEN_NUMBERS_BELOW && n !== Token.NUMBER_MAP_TOKEN_VALUE;

/**
 * A value the resolver treats as a container of other values: not a token, construct or Date, and
 * not an Array subclass (the resolver's map keeps the subclass, a copy here would not). A plain
 * array's prototype is an `Array.prototype`, itself an array, of whichever realm made it (a test
 * runner's sandbox and the libraries it shares are two); a subclass's prototype is not an array.
 */
function isPlainContainer(obj: object): boolean {
  const o = obj as { resolve?: unknown; _children?: unknown; _metadata?: unknown };
  return (
    typeof o.resolve !== 'function' &&
    !(o._children !== undefined && o._metadata !== undefined) &&
    !(obj instanceof Date) &&
    (!Array.isArray(obj) || Array.isArray(Object.getPrototypeOf(obj)))
  );
}

/** cdktf's resolver proper (`_tokens.resolve` starts it at the root with a stateless default token resolver). */
const resolverModule = require('cdktf/lib/tokens/private/resolve') as {
  resolve(obj: unknown, options: { scope: unknown; preparing: boolean; resolver: unknown; prefix: string[] }): unknown;
};
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * What cdktf's resolve returns for `obj`, copying the plain parts itself and handing every other
 * part, with its path (cdktf's errors name it), to cdktf's resolver (see the header).
 */
class PlainResolver {
  private readonly path: string[] = [];

  constructor(
    private readonly scope: unknown,
    private readonly preparing: boolean,
  ) {}

  resolve(obj: unknown): unknown {
    switch (typeof obj) {
      case 'undefined':
      case 'boolean':
        return obj;
      case 'string':
        return isPlainString(obj) ? obj : this.stock(obj);
      case 'number':
        return isPlainNumber(obj) ? obj : this.stock(obj);
      case 'object':
        if (obj === null) return null;
        if (this.path.length > PLAIN_DEPTH || !isPlainContainer(obj)) return this.stock(obj);
        return Array.isArray(obj) ? this.list(obj) : this.map(obj as Record<string, unknown>);
      default:
        return this.stock(obj);
    }
  }

  private list(obj: unknown[]): unknown {
    // The resolver resolves a list holding a list token or a token number as a whole.
    if (obj.some((x) => (typeof x === 'string' && !isPlainString(x)) || (typeof x === 'number' && !isPlainNumber(x)))) return this.stock(obj);
    const list: unknown[] = [];
    for (let i = 0; i < obj.length; i++) {
      const value = this.at(String(i), obj[i]);
      if (value !== undefined) list.push(value);
    }
    return list;
  }

  private map(obj: Record<string, unknown>): unknown {
    const keys = Object.keys(obj);
    if (!keys.every(isPlainString)) return this.stock(obj);
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const value = this.at(key, obj[key]);
      if (value !== undefined) result[key] = value;
    }
    return result;
  }

  private at(key: string, obj: unknown): unknown {
    this.path.push(key);
    try {
      return this.resolve(obj);
    } finally {
      this.path.pop();
    }
  }

  private stock(obj: unknown): unknown {
    return resolverModule.resolve(obj, { scope: this.scope, preparing: this.preparing, resolver: TOKEN_RESOLVER, prefix: [...this.path] });
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A plain object of any realm: its prototype is an `Object.prototype` (whose own prototype is null), or null. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * True when cdktf's copy of `value` into a new object would be equal to it, key order included:
 * every object under it (not under its lists, which cdktf takes over as they are) is plain or a
 * resolvable (which cdktf takes over too), and no key holds undefined (which cdktf would drop).
 * A Date or class instance would come out of cdktf's copy as a plain object of its own keys.
 */
function copiesAsItIs(value: JsonObject): boolean {
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) return false;
    if (isObject(v) && !Tokenization.isResolvable(v) && !(isPlainObject(v) && copiesAsItIs(v))) return false;
  }
  return true;
}

/**
 * `deepMerge(document, fragment)` as cdktf does it, but an object of the fragment that cdktf would
 * copy into a new one, where the document holds no object at its key, goes into the document as it
 * is (copiesAsItIs): only toTerraform's fresh, resolved fragments are merged so. Every other case
 * is cdktf's own, key by key.
 */
function mergeFragment(target: JsonObject, source: JsonObject): JsonObject {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const existing = target[key];
    if (isObject(value) && !Tokenization.isResolvable(value) && existing !== null) {
      if (typeof existing === 'object') mergeFragment(existing as JsonObject, value);
      else if (isPlainObject(value) && copiesAsItIs(value)) target[key] = value;
      else STOCK.deepMerge(target, { [key]: value });
    } else if (Array.isArray(value)) target[key] = Array.isArray(existing) ? [...existing, ...value] : value;
    else STOCK.deepMerge(target, { [key]: value });
  }
  return target;
}

/**
 * deepMerge while toTerraform merges the fragments into the document, the only target with a
 * top-level "//" key (toTerraform sets it before the first fragment); every other merge is cdktf's.
 */
const FRAGMENT_MERGE: DeepMerge = (target, ...sources) =>
  sources.length === 1 && isObject(target) && '//' in target && isObject(sources[0]) && sources[0] !== target
    ? mergeFragment(target, sources[0])
    : STOCK.deepMerge(target, ...sources);

/** cdktf's snakeCase of each key seen: a pure function of a few dozen attribute names, asked for every element. */
const snakeCases = new Map<string, string>();
function snakeCaseOf(key: string): string {
  let snake = snakeCases.get(key);
  if (snake === undefined) snakeCases.set(key, (snake = utilModule.snakeCase(key)));
  return snake;
}

/**
 * cdktf's keysToSnakeCase step for step (the meta-arguments of every resource, data source and
 * provider go through it), with each key's snake case remembered instead of made again by three
 * regular expressions. What it throws on (a null inside a list), it throws on too.
 */
function keysToSnakeCase(object: unknown): unknown {
  if (Tokenization.isResolvable(object)) return object;
  if (Array.isArray(object)) return object.map(elementToSnakeCase);
  const record = object as JsonObject;
  const result: JsonObject = {};
  for (const key of Object.keys(record)) {
    if (key === 'tags' || key === 'environment') {
      result[key] = record[key];
      continue;
    }
    let value = record[key];
    if (typeof value === 'object') value = keysToSnakeCase(value);
    if (Array.isArray(value)) value = value.map(elementToSnakeCase);
    result[snakeCaseOf(key)] = value;
  }
  return result;
}

/** A list element as keysToSnakeCase maps it: objects (null included, as cdktf does) converted, the rest kept. */
const elementToSnakeCase = (e: unknown): unknown => (typeof e === 'object' ? keysToSnakeCase(e) : e);

const TUNED = {
  captureStackTrace: (() => NO_TRACE) as CaptureStackTrace,
  // `preparing` defaults as `_tokens.resolve` defaults it.
  resolve: function (scope, obj, preparing = false) {
    // The merged document is the only value toTerraform resolves with a top-level "//" key.
    if (scope === documentOf && typeof obj === 'object' && obj !== null && '//' in obj) return obj;
    return new PlainResolver(scope, preparing).resolve(obj);
  } as Resolve,
  prepareStack: function (this: TerraformStack) {
    this.ensureBackendExists();
  },
  toTerraform: function (this: typeof stackPrototype) {
    const previous = { documentOf, deepMerge: utilModule.deepMerge };
    // Stack-level overrides are merged into the document unresolved, and may delete: cdktf's way throughout.
    const tuned = !Object.keys(this.rawOverrides).length;
    documentOf = tuned ? this : undefined;
    utilModule.deepMerge = tuned ? FRAGMENT_MERGE : STOCK.deepMerge;
    try {
      return STOCK.toTerraform.call(this);
    } finally {
      ({ documentOf } = previous);
      utilModule.deepMerge = previous.deepMerge;
    }
  },
  keysToSnakeCase: keysToSnakeCase as KeysToSnakeCase,
  referenceResolve: function (this: Reference, context: ResolveContext) {
    if (this.originStack && this.originStack !== TerraformStack.of(context.scope as TerraformStack)) {
      throw new TenantctlError(
        `${this.identifier} of stack ${this.originStack.node.id} is referenced from stack ` +
          `${TerraformStack.of(context.scope as TerraformStack).node.id}`,
        'tenantctl stacks never reference each other: look the resource up by its name (a data source) in the stack that needs it.',
      );
    }
    return STOCK.referenceResolve.call(this, context);
  },
};

/** True when the environment asks for cdktf's stock behaviour. */
export function stockRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[STACK_TRACES_ENV] === '1';
}

/**
 * Puts the tuned functions in place, or cdktf's own when `stock` (by default as the environment
 * says). Idempotent; called before any App is created, in every thread.
 */
export function tuneCdktf(stock = stockRequested()): void {
  const use = stock ? STOCK : TUNED;
  stackTraceModule.captureStackTrace = use.captureStackTrace;
  tokensModule.resolve = use.resolve;
  stackPrototype.prepareStack = use.prepareStack;
  stackPrototype.toTerraform = use.toTerraform;
  referencePrototype.resolve = use.referenceResolve;
  utilModule.keysToSnakeCase = use.keysToSnakeCase;
  useOriginalStableJson(stock);
}

/** cdktf's process-wide token registry: every token ever created, by the key its string or number encodes. */
const tokenMap = TokenMap.instance() as unknown as { stringTokenMap: Map<string, unknown>; numberTokenMap: Map<number, unknown> };

/** A point in the token registry's history (its sizes; entries are only ever added, in order). */
export interface TokenMark {
  readonly strings: number;
  readonly numbers: number;
}

export function tokenMark(): TokenMark {
  return { strings: tokenMap.stringTokenMap.size, numbers: tokenMap.numberTokenMap.size };
}

/**
 * Drops the tokens registered since `mark`, once the stack they were created for is written: the
 * registry never forgets a token, and each token holds what it resolves from (constructs, closures),
 * so without this every stack ever built stays in memory. A token of a released stack used later
 * fails loudly (cdktf reports an unknown token), never silently.
 */
export function releaseTokensSince(mark: TokenMark): void {
  dropAfter(tokenMap.stringTokenMap, mark.strings);
  dropAfter(tokenMap.numberTokenMap, mark.numbers);
}

function dropAfter<K>(map: Map<K, unknown>, keep: number): void {
  let i = 0;
  // Deleting the entry being visited is safe in a Map's iteration.
  for (const key of map.keys()) if (i++ >= keep) map.delete(key);
}
