import type { Json } from './json';
import type { StackDocument } from './types';

/**
 * The order Terraform applies one stack in. A resource or data source comes after everything its
 * expressions refer to and everything its `depends_on` names, transitively; nothing else orders
 * two objects of a stack. Data sources are nodes too: one that refers to a resource is read at
 * apply time, after it.
 */

/** `type.id` of a resource, `data.type.id` of a data source. */
const ADDRESS = /(?<![\w.-])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][\w-]*)/g;

/** Candidate addresses in every string of a value (cdktf's `//` metadata left out). */
function candidates(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    // An address holds an underscore and a dot; most strings lack one and skip the pattern.
    if (value.includes('_') && value.includes('.')) for (const m of value.matchAll(ADDRESS)) out.push(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) candidates(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) if (k !== '//') candidates((value as Record<string, unknown>)[k], out);
  }
  return out;
}

export class DependencyGraph {
  private readonly direct = new Map<string, string[]>();
  private readonly closure = new Map<string, ReadonlySet<string>>();

  constructor(readonly stack: StackDocument) {
    const nodes: [string, Json][] = [
      ...Object.entries(stack.json.resource ?? {}).flatMap(([type, byId]) =>
        Object.entries(byId).map(([id, body]): [string, Json] => [`${type}.${id}`, body as Json]),
      ),
      ...Object.entries(stack.json.data ?? {}).flatMap(([type, byId]) =>
        Object.entries(byId).map(([id, body]): [string, Json] => [`data.${type}.${id}`, body as Json]),
      ),
    ];
    for (const [address] of nodes) this.direct.set(address, []);
    for (const [address, body] of nodes)
      this.direct.set(
        address,
        this.referencesIn(body).filter((a) => a !== address),
      );
  }

  /** Addresses of this stack's resources and data sources a value refers to (expressions and `depends_on` alike). */
  referencesIn(value: unknown): string[] {
    return [...new Set(candidates(value).filter((a) => this.direct.has(a)))];
  }

  /** Everything `address` is applied after. */
  ancestors(address: string): ReadonlySet<string> {
    const known = this.closure.get(address);
    if (known) return known;
    const seen = new Set<string>();
    const stack = [...(this.direct.get(address) ?? [])];
    while (stack.length) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.direct.get(next) ?? []));
    }
    this.closure.set(address, seen);
    return seen;
  }

  /**
   * The resources a value's references lead to, reading through data sources: what a provider
   * configured from that value needs to exist before Terraform can plan with it.
   */
  resourcesBehind(value: unknown): string[] {
    const found = new Set<string>();
    const seen = new Set<string>();
    const queue = this.referencesIn(value);
    while (queue.length) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (next.startsWith('data.')) queue.push(...(this.direct.get(next) ?? []));
      else found.add(next);
    }
    return [...found];
  }

  /** Whether Terraform applies `address` only once `before` is done. */
  isAfter(address: string, before: string): boolean {
    return this.ancestors(address).has(before);
  }
}
