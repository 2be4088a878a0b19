import { cidrContains, cidrsOverlap, defaultSubnetPlan, parseCidr, type Cidr } from '../../src/model/cidr';

const cidr = (text: string) => parseCidr(text) as Cidr;

describe('parseCidr', () => {
  it('parses a network CIDR into an integer range', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ text: '10.0.0.0/16', prefix: 16, first: 167772160, last: 167837695 });
  });
  it.each([
    ['10.0.0.0/33', /not a valid IPv4 CIDR/],
    ['10.0.0/16', /not a valid IPv4 CIDR/],
    ['300.0.0.0/16', /not a valid IPv4 CIDR/],
    ['10.0.0.0/8', /prefix \/8: AWS allows \/16 to \/28/],
    ['10.0.0.0/29', /prefix \/29/],
    ['10.0.1.0/16', /host bits set: use 10\.0\.0\.0\/16/],
  ])('rejects %s', (text, message) => {
    expect(parseCidr(text)).toMatch(message);
  });
});

describe('containment and overlap', () => {
  it('knows a subnet inside the VPC', () => {
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.0.200.0/24'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/16'), cidr('10.1.0.0/24'))).toBe(false);
  });
  it('detects overlaps, including nested blocks, and not adjacent ones', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/20'), cidr('10.0.8.0/21'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/20'), cidr('10.0.16.0/20'))).toBe(false);
  });
});

describe('defaultSubnetPlan', () => {
  it('matches the reference plan for 10.0.0.0/16', () => {
    expect(defaultSubnetPlan('10.0.0.0/16', 3)).toEqual({
      public: ['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20'],
      private: ['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20'],
      database: ['10.0.200.0/24', '10.0.201.0/24', '10.0.202.0/24'],
    });
  });
  it('scales the same shape to a smaller VPC', () => {
    expect(defaultSubnetPlan('10.20.0.0/18', 2)).toEqual({
      public: ['10.20.0.0/22', '10.20.4.0/22'],
      private: ['10.20.32.0/22', '10.20.36.0/22'],
      database: ['10.20.50.0/26', '10.20.50.64/26'],
    });
  });
});
