import {
  MAX_REQUESTS_PER_UNIT,
  TENANT_STAT_KEY1,
  defaultDescriptorFile,
  descriptorFileKey,
  istioOutboundCluster,
  tenantDescriptorFile,
  tenantEntryCluster,
} from '../../src/model/rate-limit';
import { readDescriptorFile } from '../../src/policy/descriptor-file';
import { tierSchema, tierCatalog } from '../../src/model/tiers';

describe('rate limit descriptors', () => {
  test("a tenant's descriptor is the cluster Istio gives its entry Service", () => {
    expect(istioOutboundCluster('ratelimit.ratelimit.svc.cluster.local', 8081)).toBe('outbound|8081||ratelimit.ratelimit.svc.cluster.local');
    expect(tenantEntryCluster('tenant-acme')).toBe('outbound|8080||gateway.tenant-acme.svc.cluster.local');
  });

  test('a tenant file is one line of JSON (YAML for ratelimit) with one descriptor at the given rate per second', () => {
    const text = tenantDescriptorFile('tenant-acme', 10000);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({
      domain: 'tenantctl-ingress',
      descriptors: [
        {
          key: 'destination_cluster',
          value: 'outbound|8080||gateway.tenant-acme.svc.cluster.local',
          rate_limit: { unit: 'second', requests_per_unit: 10000 },
        },
      ],
    });
    expect(readDescriptorFile(text)).toEqual([
      {
        domain: 'tenantctl-ingress',
        key: 'destination_cluster',
        value: 'outbound|8080||gateway.tenant-acme.svc.cluster.local',
        unit: 'second',
        requestsPerUnit: 10000,
      },
    ]);
  });

  test('the fallback names no value, so every cluster no tenant file names gets its own counter at that rate', () => {
    expect(JSON.parse(defaultDescriptorFile(100))).toEqual({
      domain: 'tenantctl-ingress',
      descriptors: [{ key: 'destination_cluster', rate_limit: { unit: 'second', requests_per_unit: 100 } }],
    });
  });

  test('a ConfigMap holds its file under <name>.yaml', () => {
    expect(descriptorFileKey('tenant-acme')).toBe('tenant-acme.yaml');
  });

  test('rates outside what ratelimit parses (uint32) are refused, in the tier schema first', () => {
    expect(() => tenantDescriptorFile('tenant-acme', 0)).toThrow('give a whole number from 1 to 4294967295');
    expect(() => tenantDescriptorFile('tenant-acme', 1.5)).toThrow('whole number');
    expect(() => tenantDescriptorFile('tenant-acme', MAX_REQUESTS_PER_UNIT + 1)).toThrow('whole number');
    expect(tierSchema.safeParse({ ...tierCatalog.standard, requestsPerSecond: MAX_REQUESTS_PER_UNIT + 1 }).success).toBe(false);
    expect(tierSchema.safeParse({ ...tierCatalog.standard, requestsPerSecond: MAX_REQUESTS_PER_UNIT }).success).toBe(true);
  });

  test('files that are not ratelimit configs read as undefined', () => {
    expect(readDescriptorFile('domain: [unclosed')).toBeUndefined();
    expect(readDescriptorFile('domain: x')).toBeUndefined();
    expect(readDescriptorFile('')).toBeUndefined();
  });

  test(
    "a tenant descriptor's statistics carry the namespace as key2 behind a fixed key1 (ratelimit's stat name with | made _, " + 'split at dots)',
    () => {
      const statName = `destination_cluster_${tenantEntryCluster('tenant-acme')}`.replace(/[|:]/g, '_');
      const [key1, key2] = statName.split('.');
      expect(key1).toBe(TENANT_STAT_KEY1);
      expect(key1).toBe('destination_cluster_outbound_8080__gateway');
      expect(key2).toBe('tenant-acme');
    },
  );
});
