import { parse } from 'yaml';

/** Reading the rate limit service's descriptor files back from synthesized ConfigMaps. */

/** One top-level descriptor of a descriptor file. */
export interface DescriptorEntry {
  readonly domain: unknown;
  readonly key: unknown;
  readonly value: unknown;
  readonly unit: unknown;
  readonly requestsPerUnit: unknown;
}

/** The top-level descriptors of a descriptor file, or undefined when it is not a ratelimit config. */
export function readDescriptorFile(text: string): DescriptorEntry[] | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const root = doc as { domain?: unknown; descriptors?: unknown } | null;
  if (!root || typeof root !== 'object' || !Array.isArray(root.descriptors)) return undefined;
  return root.descriptors.map((d: { key?: unknown; value?: unknown; rate_limit?: { unit?: unknown; requests_per_unit?: unknown } } | null) => ({
    domain: root.domain,
    key: d?.key,
    value: d?.value,
    unit: d?.rate_limit?.unit,
    requestsPerUnit: d?.rate_limit?.requests_per_unit,
  }));
}
