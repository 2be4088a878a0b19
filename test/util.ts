import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { platformSchema, resolvePlatform, type PlatformConfig, type PlatformSpec } from '../src/model/platform-schema';

/** A platform.json as `tenantctl init platform --yes --account-id 111122223333` writes it. */
export function platformConfig(overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return { version: 1, name: 'acme', environment: 'prod', aws: { region: 'eu-west-1', accountId: '111122223333' }, ...overrides };
}

/** A resolved PlatformSpec for construct tests. */
export function platformSpec(overrides: Partial<PlatformConfig> = {}): PlatformSpec {
  return resolvePlatform(platformSchema.parse(platformConfig(overrides)));
}

/** A temporary directory removed after the test file finishes. */
export function tempDir(prefix = 'tenantctl-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A synthesized stack JSON (`cdk.tf.json`) with typed helpers to find resources. */
export class SynthJson {
  constructor(readonly json: any) {}

  static parse(text: string): SynthJson {
    return new SynthJson(JSON.parse(text));
  }

  /** All resources of a Terraform type, keyed by logical id. */
  resources(type: string): Record<string, any> {
    return this.json.resource?.[type] ?? {};
  }

  /** The only resource of a type (fails when there is not exactly one). */
  one(type: string): any {
    const all = Object.values(this.resources(type));
    if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
    return all[0];
  }

  /** Resources of a type whose attributes match a predicate. */
  where(type: string, predicate: (r: any) => boolean): any[] {
    return Object.values(this.resources(type)).filter(predicate);
  }

  data(type: string): Record<string, any> {
    return this.json.data?.[type] ?? {};
  }

  /** Logical id of the only resource of a type, for building `${type.id.attr}` references. */
  idOf(type: string, predicate: (r: any) => boolean = () => true): string {
    const ids = Object.entries(this.resources(type))
      .filter(([, r]) => predicate(r))
      .map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${ids.length}`);
    return ids[0];
  }
}
