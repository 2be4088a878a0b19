/**
 * Capacity of the EC2 and RDS instance classes tenantctl reasons about: node group sizing checks
 * (does a dedicated tenant's quota fit its nodes?) and the RDS Proxy pool size (how many
 * connections does the instance class allow?). Unknown classes are accepted in the config; the
 * checks that need their size say so instead of guessing.
 */
export interface NodeCapacity {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

const families: Record<string, Record<string, NodeCapacity>> = {};
const sizes: Record<string, NodeCapacity> = {
  large: { vcpu: 2, memoryGiB: 8 },
  xlarge: { vcpu: 4, memoryGiB: 16 },
  '2xlarge': { vcpu: 8, memoryGiB: 32 },
  '4xlarge': { vcpu: 16, memoryGiB: 64 },
  '8xlarge': { vcpu: 32, memoryGiB: 128 },
  '12xlarge': { vcpu: 48, memoryGiB: 192 },
  '16xlarge': { vcpu: 64, memoryGiB: 256 },
};
// General purpose families have 4 GiB per vCPU, compute 2 GiB, memory optimised 8 GiB.
const memoryPerVcpu: Record<string, number> = {
  m5: 4,
  m6i: 4,
  m6a: 4,
  m6g: 4,
  m7i: 4,
  m7a: 4,
  m7g: 4,
  m8g: 4,
  c5: 2,
  c6i: 2,
  c6a: 2,
  c6g: 2,
  c7i: 2,
  c7g: 2,
  c8g: 2,
  r5: 8,
  r6i: 8,
  r6a: 8,
  r6g: 8,
  r7i: 8,
  r7g: 8,
  r8g: 8,
};
for (const [family, perVcpu] of Object.entries(memoryPerVcpu)) {
  families[family] = {};
  for (const [size, cap] of Object.entries(sizes)) {
    families[family][size] = { vcpu: cap.vcpu, memoryGiB: cap.vcpu * perVcpu };
  }
}
const burstable: Record<string, NodeCapacity> = {
  medium: { vcpu: 2, memoryGiB: 4 },
  large: { vcpu: 2, memoryGiB: 8 },
  xlarge: { vcpu: 4, memoryGiB: 16 },
  '2xlarge': { vcpu: 8, memoryGiB: 32 },
};
const BURSTABLE_FAMILIES = ['t3', 't4g'];
for (const family of BURSTABLE_FAMILIES) families[family] = burstable;

/** Graviton families carry a `g` after the generation digit: m7g, c7gn, r8g, t4g. */
export const ARM_FAMILY = /^[a-z]+\d+g[a-z]*\./;

/** CPU architecture of an EC2 instance type: one node group (one AMI) serves one architecture. */
export function ec2Architecture(instanceType: string): 'arm64' | 'x86_64' {
  return ARM_FAMILY.test(instanceType) ? 'arm64' : 'x86_64';
}

/** vCPU and memory of an EC2 instance type such as `m6i.2xlarge`, or undefined when unknown. */
export function ec2Capacity(instanceType: string): NodeCapacity | undefined {
  const [family, size] = instanceType.split('.');
  return families[family]?.[size];
}

/**
 * The known non-burstable EC2 instance types of the same vCPU, memory and architecture as
 * `instanceType`, sorted (burstable types throttle under sustained load: no substitute).
 */
export function sameSizeInstanceTypes(instanceType: string): string[] {
  const cap = ec2Capacity(instanceType);
  if (!cap) return [];
  const arch = ec2Architecture(instanceType);
  return Object.entries(families)
    .filter(([family]) => !BURSTABLE_FAMILIES.includes(family))
    .flatMap(([family, bySize]) => Object.entries(bySize).map(([size, c]) => ({ type: `${family}.${size}`, c })))
    .filter(({ type, c }) => c.vcpu === cap.vcpu && c.memoryGiB === cap.memoryGiB && ec2Architecture(type) === arch)
    .map(({ type }) => type)
    .sort();
}

/** Memory of an RDS instance class such as `db.r6g.large`, or undefined when unknown. */
export function rdsCapacity(instanceClass: string): NodeCapacity | undefined {
  if (!instanceClass.startsWith('db.')) return undefined;
  return ec2Capacity(instanceClass.slice(3));
}

/**
 * PostgreSQL's `max_connections` on RDS for an instance class: the default parameter group sets
 * LEAST(DBInstanceClassMemory / 9531392, 5000), where DBInstanceClassMemory is the class memory
 * less what the OS and RDS processes reserve (about 10 % is a fair estimate).
 */
export function rdsMaxConnections(instanceClass: string): number | undefined {
  const cap = rdsCapacity(instanceClass);
  if (!cap) return undefined;
  const usableBytes = cap.memoryGiB * 1024 ** 3 * 0.9;
  return Math.min(Math.floor(usableBytes / 9531392), 5000);
}
