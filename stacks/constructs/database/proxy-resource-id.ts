import type { DataAwsDbProxy } from '@cdktf/provider-aws/lib/data-aws-db-proxy';
import { Fn } from 'cdktf';

/**
 * The `prx-...` resource id of a looked-up RDS Proxy, the last field of its ARN
 * (`arn:<partition>:rds:<region>:<account>:db-proxy:prx-...`): IAM authentication through a proxy
 * names the proxy's resource id, not the instance's, in `rds-db:connect`.
 */
export function proxyResourceId(proxy: DataAwsDbProxy): string {
  return Fn.element(Fn.split(':', proxy.arn), 6);
}
