import { poolSizing } from '../../src/model/pool-sizing';
import { rdsMaxConnections } from '../../src/model/instance-types';

describe('poolSizing', () => {
  test('500 tenants x 3 services x 2 replicas on db.r6g.large want 1500 connections and are capped by the instance', () => {
    // db.r6g.large: 16 GiB, 90 % usable / 9531392 bytes per connection = 1622 connections.
    expect(rdsMaxConnections('db.r6g.large')).toBe(1622);
    expect(poolSizing({ tenants: 500, servicesPerTenant: 3, replicasPerService: 2, instanceClass: 'db.r6g.large' })).toEqual({
      wanted: 1500,
      instanceMax: 1622,
      maxConnectionsPercent: 90,
      maxIdleConnectionsPercent: 45,
      cappedByInstance: true,
    });
  });

  test('a larger class takes the same load below the cap', () => {
    // db.r6g.xlarge allows 3244: 1500 / 3244 = 46.2 % -> 47 %.
    expect(poolSizing({ tenants: 500, servicesPerTenant: 3, replicasPerService: 2, instanceClass: 'db.r6g.xlarge' })).toEqual({
      wanted: 1500,
      instanceMax: 3244,
      maxConnectionsPercent: 47,
      maxIdleConnectionsPercent: 23,
      cappedByInstance: false,
    });
  });

  test('a small plan still gets the minimum percentage', () => {
    const sizing = poolSizing({ tenants: 5, servicesPerTenant: 1, replicasPerService: 1, instanceClass: 'db.r6g.large' });
    expect(sizing).toMatchObject({ wanted: 3, maxConnectionsPercent: 10, maxIdleConnectionsPercent: 5, cappedByInstance: false });
  });

  test('an unknown instance class is assumed to allow 1000 connections', () => {
    expect(poolSizing({ tenants: 100, servicesPerTenant: 2, replicasPerService: 2, instanceClass: 'db.x2g.large' })).toMatchObject({
      wanted: 200,
      instanceMax: 1000,
      maxConnectionsPercent: 20,
    });
  });
});
