import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { StsEndpointAddresses } from '../../stacks/constructs/network/sts-endpoint-addresses';
import { SynthJson } from '../util';

describe('StsEndpointAddresses', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const sts = new StsEndpointAddresses(stack, 'sts', { vpcId: 'vpc-0123', interfaceCount: 3 });
  new TerraformOutput(stack, 'cidrs', { value: sts.cidrs });
  const json = SynthJson.parse(Testing.synth(stack));
  const [serviceId] = Object.keys(json.data('aws_vpc_endpoint_service'));
  const [endpointId] = Object.keys(json.data('aws_vpc_endpoint'));

  test("finds the endpoint by STS's service name (spelled for the partition) in the platform's VPC", () => {
    expect(json.data('aws_vpc_endpoint_service')[serviceId]).toMatchObject({ service: 'sts', service_type: 'Interface' });
    expect(json.data('aws_vpc_endpoint')[endpointId]).toMatchObject({
      vpc_id: 'vpc-0123',
      service_name: `\${data.aws_vpc_endpoint_service.${serviceId}.service_name}`,
      state: 'available',
    });
  });

  test('reads each of its network interfaces, in a stable order, and gives each address as a /32', () => {
    const interfaces = Object.entries(json.data('aws_network_interface'));
    expect(interfaces.map(([, eni]) => eni.id)).toEqual(
      [0, 1, 2].map((i) => `\${element(sort(tolist(data.aws_vpc_endpoint.${endpointId}.network_interface_ids)), ${i})}`),
    );
    expect(json.json.output.cidrs.value).toEqual(interfaces.map(([id]) => `\${data.aws_network_interface.${id}.private_ip}/32`));
  });

  test('fails the plan, instead of repeating or missing an address, when the endpoint has another number of interfaces', () => {
    expect(json.data('aws_vpc_endpoint')[endpointId].lifecycle.postcondition).toEqual([
      {
        condition: '${length(self.network_interface_ids) == 3}',
        error_message:
          "The STS interface endpoint must have one network interface in each of the 3 private subnets (the tenants' IRSA egress rules name " +
          'each address).',
      },
    ]);
  });

  test('refuses a count that is not a positive integer', () => {
    const other = new TerraformStack(Testing.app(), 'other');
    expect(() => new StsEndpointAddresses(other, 'sts', { vpcId: 'vpc-0123', interfaceCount: 0 })).toThrow(
      'StsEndpointAddresses: interfaceCount 0 must be a positive integer (one per private subnet)',
    );
  });
});
