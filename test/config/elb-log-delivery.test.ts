import { ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE, elbLogDeliveryPrincipal } from '../../src/model/elb-log-delivery';
import { AWS_REGIONS } from '../../src/model/regions';

describe('ELB log delivery principal', () => {
  test('knows only regions tenantctl accepts', () => {
    for (const region of Object.keys(ELB_LOG_DELIVERY_ACCOUNTS)) expect(AWS_REGIONS).toContain(region);
  });

  test('leaves exactly the regions opened since August 2022 to the service principal', () => {
    expect(AWS_REGIONS.filter((r) => !ELB_LOG_DELIVERY_ACCOUNTS[r])).toEqual([
      'ap-east-2',
      'ap-south-2',
      'ap-southeast-4',
      'ap-southeast-5',
      'ap-southeast-6',
      'ap-southeast-7',
      'ca-west-1',
      'eu-central-2',
      'eu-south-2',
      'il-central-1',
      'me-central-1',
      'mx-central-1',
    ]);
  });

  test('names the regional account root in the partition of the region', () => {
    expect(elbLogDeliveryPrincipal('us-east-1', 'aws')).toEqual({ AWS: 'arn:aws:iam::127311923021:root' });
    expect(elbLogDeliveryPrincipal('cn-north-1', 'aws-cn')).toEqual({ AWS: 'arn:aws-cn:iam::638102146993:root' });
    expect(elbLogDeliveryPrincipal('eu-south-2', 'aws')).toEqual({ Service: ELB_LOG_DELIVERY_SERVICE });
  });
});
