import * as ipaddr from 'ipaddr.js';

/** An IPv4 CIDR block as an inclusive integer range. */
export interface Cidr {
  readonly text: string;
  readonly prefix: number;
  readonly first: number;
  readonly last: number;
}

/**
 * Parses `a.b.c.d/n`. Returns an error message instead of throwing so callers can report it
 * against the field at fault. The address must be the network address (`10.0.0.0/16`, not
 * `10.0.1.0/16`), as AWS rejects host bits in VPC and subnet CIDRs.
 */
export function parseCidr(text: string, maxPrefix = 28, minPrefix = 16): Cidr | string {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !ipaddr.IPv4.isValidCIDR(text)) {
    return `${text} is not a valid IPv4 CIDR: use a.b.c.d/n with n between ${minPrefix} and ${maxPrefix}`;
  }
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(text);
  const base = addr.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
  const size = 2 ** (32 - prefix);
  if (prefix < minPrefix || prefix > maxPrefix) {
    return `${text} has prefix /${prefix}: AWS allows /${minPrefix} to /${maxPrefix} here`;
  }
  if (base % size !== 0) {
    const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
    return `${text} has host bits set: use ${network}/${prefix}`;
  }
  return { text, prefix, first: base, last: base + size - 1 };
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The `index`-th block of size `/prefix` counted from the start of `vpc`. */
export function subnetAt(vpc: Cidr, prefix: number, index: number): string {
  return `${formatAddress(vpc.first + index * 2 ** (32 - prefix))}/${prefix}`;
}

export interface SubnetPlan {
  readonly public: string[];
  readonly private: string[];
  readonly database: string[];
}

/**
 * The default subnet plan for a /16 VPC and up to three AZs, from the reference design:
 * public /20s at the start, private /20s from the middle (x.x.128.0), database /24s at x.x.200.0.
 * Smaller VPCs get the same shape scaled down (public and private /4 of the VPC each, database
 * blocks 1/64 of it), so `--vpc-cidr 10.20.0.0/18` still works without hand-written subnets.
 */
export function defaultSubnetPlan(vpcCidr: string, azCount: number): SubnetPlan {
  const vpc = parseCidr(vpcCidr);
  if (typeof vpc === 'string') throw new Error(vpc);
  const appPrefix = vpc.prefix + 4;
  const dbPrefix = vpc.prefix + 8;
  const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  return {
    public: range(azCount, (i) => subnetAt(vpc, appPrefix, i)),
    private: range(azCount, (i) => subnetAt(vpc, appPrefix, 8 + i)),
    database: range(azCount, (i) => subnetAt(vpc, dbPrefix, 200 + i)),
  };
}
