import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { Construct } from 'constructs';
import { TENANT_ID_MAX } from '../../../src/model/tenant-schema';
import { AUTH_FLOWS, PASSWORD_POLICY, TENANT_ID_ATTRIBUTE, TENANT_ID_CLAIM, TOKEN_VALIDITY, cognitoIssuer } from '../../../src/model/identity';

export interface UserPoolProps {
  readonly name: string;
  readonly clientName: string;
  readonly region: string;
  readonly partition: string;
  /**
   * Cognito's threat protection (the Plus feature plan): compromised-credential checks and
   * adaptive authentication, enforced. Priced per monthly active user.
   */
  readonly threatProtection: boolean;
}

/**
 * An Amazon Cognito user pool and its one app client, as tenants' end users sign in to it. Users
 * are created by an administrator only (no self sign-up), sign in with their email, a 14-character
 * password and TOTP (MFA required), and carry the immutable `custom:tenant_id` that no app client
 * may write. The client is public (browser and mobile apps hold no secret), signs in with SRP
 * through Cognito's API and offers no OAuth flow, hence no hosted UI, no domain and no callback
 * URL that would grow per tenant; its ID tokens (15 minutes) carry the tenant claim the gateway
 * checks. Deletion protection keeps a destroy from taking the users with it.
 */
export class UserPool extends Construct {
  readonly pool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  /** `iss` of the pool's tokens. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    this.pool = new CognitoUserPool(this, 'pool', {
      name: props.name,
      deletionProtection: 'ACTIVE',
      userPoolTier: props.threatProtection ? 'PLUS' : 'ESSENTIALS',
      userPoolAddOns: props.threatProtection ? { advancedSecurityMode: 'ENFORCED' } : undefined,
      mfaConfiguration: 'ON',
      softwareTokenMfaConfiguration: { enabled: true },
      usernameAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ['email'],
      // A changed email stays unverified (and the old one in use) until the user confirms the new one.
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      passwordPolicy: { ...PASSWORD_POLICY },
      schema: [
        {
          name: TENANT_ID_ATTRIBUTE,
          attributeDataType: 'String',
          mutable: false,
          required: false,
          stringAttributeConstraints: { minLength: '1', maxLength: String(TENANT_ID_MAX) },
        },
      ],
      tags: { Name: props.name },
    });
    this.client = new CognitoUserPoolClient(this, 'client', {
      name: props.clientName,
      userPoolId: this.pool.id,
      generateSecret: false,
      explicitAuthFlows: [...AUTH_FLOWS],
      allowedOauthFlowsUserPoolClient: false,
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      idTokenValidity: TOKEN_VALIDITY.idTokenMinutes,
      accessTokenValidity: TOKEN_VALIDITY.accessTokenMinutes,
      refreshTokenValidity: TOKEN_VALIDITY.refreshTokenHours,
      tokenValidityUnits: [{ idToken: 'minutes', accessToken: 'minutes', refreshToken: 'hours' }],
      readAttributes: ['email', 'email_verified', TENANT_ID_CLAIM],
      writeAttributes: ['email'],
    });
    this.issuer = cognitoIssuer(props.region, props.partition, this.pool.id);
  }
}
