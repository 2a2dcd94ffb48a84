import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of an {@link ApiKeyPepper}. */
export interface ApiKeyPepperProps {
  /** Customer key that encrypts the secret. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The server-side secret mixed into every API key hash (API-KEYS). A leaked table of
 * key hashes is useless without it. It is stateful: losing or changing it invalidates
 * every key, so it is retained and not rotated (keys themselves rotate).
 */
export class ApiKeyPepper extends Construct {
  /** The secret (a random 64-character string). */
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ApiKeyPepperProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Resource', {
      description: 'Bulwark content API: pepper of API key hashes',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.secret, 'apiKeyPepperNotRotated');
  }
}
