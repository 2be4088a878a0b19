import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { elbLogDeliveryPrincipal } from '../../../src/model/elb-log-delivery';
import { policyDocument } from '../iam/documents';

export interface AccessLogsBucketProps {
  readonly bucketName: string;
  readonly accountId: string;
  /** Region of the bucket and the load balancer: decides who delivers the logs. */
  readonly region: string;
  readonly partition: string;
  readonly expireAfterDays: number;
}

/**
 * Private S3 bucket receiving the ALB access logs. Only ELB log delivery may write (the region's
 * Elastic Load Balancing account, or the log-delivery service in regions opened since August
 * 2022), only under this account's `AWSLogs/` prefix, and only over TLS.
 */
export class AccessLogsBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The bucket policy: the ALB must be created after it (AWS checks write access). */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, tags: { Name: props.bucketName } });
    const bucket = this.bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    // ALB access log delivery supports only SSE-S3 (AES256) destinations, not SSE-KMS.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{}],
          expiration: [{ days: props.expireAfterDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    const arn = this.bucket.arn;
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: policyDocument([
        {
          Sid: 'AllowElbLogDelivery',
          Effect: 'Allow',
          Principal: elbLogDeliveryPrincipal(props.region, props.partition),
          Action: 's3:PutObject',
          Resource: `${arn}/AWSLogs/${props.accountId}/*`,
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [arn, `${arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
      // A policy put before the public access block exists could briefly be evaluated without it.
      dependsOn: [publicAccess],
    });
  }
}
