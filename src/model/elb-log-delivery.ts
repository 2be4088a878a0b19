/**
 * Who writes Application Load Balancer access logs into S3, per region. Regions that opened before
 * August 2022 deliver as a regional Elastic Load Balancing account and reject a bucket policy that
 * names only the log-delivery service principal; later regions deliver as that service principal
 * and have no such account. A static table so that synthesis and `validate` work offline.
 */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/**
 * The Elastic Load Balancing account of each region that opened before August 2022, as the
 * Application Load Balancer guide ("Enable access logs") lists them; checked in 2026 against it
 * and against the AWS provider's aws_elb_service_account table.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-southeast-3': '589379963580',
  'ap-south-1': '718504428378',
  'ap-northeast-3': '383597477331',
  'ap-northeast-2': '600734575887',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-northeast-1': '582318560864',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-south-1': '635631232127',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
};

/** The bucket-policy principal that ALB log delivery uses in `region`. */
export function elbLogDeliveryPrincipal(region: string, partition: string): { AWS: string } | { Service: string } {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account ? { AWS: `arn:${partition}:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}
