import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../iam/documents';

export interface EncryptionKeyProps {
  /** `alias/...` name of the key. */
  readonly aliasName: string;
  readonly description: string;
  /** The account that owns the key: its root principal administers it (and so delegates to IAM policies). */
  readonly accountId: string;
  readonly partition: string;
  /** Statements for the services that use the key, beyond the account's own IAM principals. */
  readonly serviceStatements?: PolicyStatement[];
  /**
   * What must exist before the policy is submitted: KMS rejects a policy naming an IAM principal
   * that does not exist yet (the provider retries only while a new role propagates).
   * @default - nothing beyond the references in the props
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Days a scheduled deletion can still be cancelled: the maximum AWS allows. */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * A symmetric customer managed KMS key with yearly rotation, the longest deletion window and an
 * alias. Its policy gives the account root full control, which is what lets IAM policies in the
 * account grant use of the key (AWS's default key policy); services that act without an IAM
 * principal of the account (CloudWatch Logs, the Auto Scaling service-linked role) get their own
 * statements.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly arn: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    if (!/^alias\/[\w/.-]+$/.test(props.aliasName) || props.aliasName.startsWith('alias/aws/')) {
      throw new Error(`KMS alias ${JSON.stringify(props.aliasName)} is invalid: use alias/<name> (letters, digits, / _ - .), not alias/aws/...`);
    }
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: policyDocument([
        {
          Sid: 'AccountAdministersKey',
          Effect: 'Allow',
          Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
          // Root with kms:* is AWS's default key policy: without it the key can become unmanageable.
          Action: 'kms:*',
          Resource: '*',
        },
        ...(props.serviceStatements ?? []),
      ]),
      tags: { Name: props.aliasName.slice('alias/'.length) },
      dependsOn: props.dependsOn,
    });
    new KmsAlias(this, 'alias', { name: props.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    this.aliasName = props.aliasName;
  }
}
