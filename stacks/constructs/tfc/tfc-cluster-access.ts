import { Construct } from 'constructs';
import { clusterAdminAccess } from '../iam/cluster-access';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { tfcRoleArn } from '../../../src/model/workspaces';

export interface TfcClusterAccessProps {
  readonly platform: PlatformSpec;
  readonly clusterName: string;
}

/**
 * Kubernetes access for the cluster workspace's Terraform Cloud runs (the cluster has no
 * creator-admin: every principal has an access entry): its run role is cluster admin, since it
 * installs the platform's add-ons. The platform workspace applies no Kubernetes resource and gets
 * none. Tenant run roles get access to their own namespace only, from the bootstrap stack
 * (TenantRunRoleAccess), so adding a tenant never changes this stack. Created in the platform
 * stack, so it exists before the cluster stack's first plan.
 */
export class TfcClusterAccess extends Construct {
  constructor(scope: Construct, id: string, props: TfcClusterAccessProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    clusterAdminAccess(this, 'cluster-run-role', {
      clusterName: props.clusterName,
      principalArn: tfcRoleArn(platform, names.clusterStack, 'platform'),
      partition: names.partition,
    });
  }
}
