import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface CallbackKeyProps {
  stage: string;
  /** RETAIN (every stage but dev) or DESTROY (dev). */
  retain: boolean;
}

/** Length of the generated key: 48 characters of [A-Za-z0-9], about 285 bits. */
export const CALLBACK_KEY_LENGTH = 48;

/**
 * The stage's HMAC key for approval callback credentials (the signed links in approval webhooks):
 * a Secrets Manager secret generated at deploy time, never in the template or the repository.
 * Handlers read it once per container (functions/platform/workflow-composition.ts, UTF-8 bytes of the
 * secret string). Functions get it through ModosFunction.bindCallbackKey (env + read grant).
 */
export class CallbackKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: CallbackKeyProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `modos ${props.stage}: HMAC key of approval callback credentials (rotating it invalidates every outstanding callback link)`,
      generateSecretString: {
        passwordLength: CALLBACK_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: true,
      },
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'No automatic rotation: every outstanding approval callback link is signed with this key, so rotating it would silently invalidate links already sent to customers. Rotation is a manual, announced operation (docs/deploy.md, Operations).',
    });
  }
}
