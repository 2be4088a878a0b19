import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface DefaultStorageClassProps {
  /** KMS key that encrypts every volume provisioned through this class. */
  readonly ebsKmsKeyArn: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The cluster's default StorageClass: encrypted gp3 volumes from the EBS CSI driver. EKS ships no
 * default class, so without it PersistentVolumeClaims (Prometheus, tenants' StatefulSets) stay
 * pending; WaitForFirstConsumer creates each volume in the AZ of the pod that uses it.
 */
export class DefaultStorageClass extends Construct {
  readonly storageClass: StorageClassV1;

  constructor(scope: Construct, id: string, props: DefaultStorageClassProps) {
    super(scope, id);
    this.storageClass = new StorageClassV1(this, 'gp3', {
      metadata: { name: 'gp3-encrypted', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      storageProvisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      // Retain: deleting a claim (or a tenant namespace) must not destroy the volume's data.
      reclaimPolicy: 'Retain',
      allowVolumeExpansion: true,
      parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: props.ebsKmsKeyArn, 'csi.storage.k8s.io/fstype': 'ext4' },
      dependsOn: props.dependsOn,
    });
  }
}
