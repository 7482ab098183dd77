import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * How the code finds the key: `MODEL_SIGNING_KEY=kms:<key ARN>` in the training job's environment (it
 * signs) and in the environment of every function that loads models (they verify). The signature is
 * ECDSA_SHA_256 over the exact bytes of a version's manifest.json; the functions fetch the public key
 * once (GetPublicKey) and verify locally.
 */
export const MODEL_SIGNING_KEY_ENV = 'MODEL_SIGNING_KEY';

/** The one signing algorithm the job may use, and the one a verifier accepts. */
export const MODEL_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

export interface ModelSigningProps {
  /** `alias/...`: how an operator finds the key in the console and the CLI. */
  readonly aliasName: string;
  /** Keep the key when the stack is deleted (the retained models' signatures still need its public key). */
  readonly retain: boolean;
}

/**
 * The key that says who published a model: an asymmetric KMS key (NIST P-256, sign and verify) whose
 * private half never leaves KMS. Only the training job's role may sign with it; the model-loading
 * functions may only read its public key.
 */
export class ModelSigning extends Construct {
  public readonly key: kms.Key;
  public readonly alias: kms.IAlias;
  private signer: iam.IRole | undefined;

  public constructor(scope: Construct, id: string, props: ModelSigningProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description:
        'Signs the manifest of every published model (training job); verified by the API functions',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // KMS rotates only symmetric keys: rotation is not available for an asymmetric key, and cdk-nag's
      // AwsSolutions-KMS5 applies to symmetric keys only. Rotating means a new key and a re-signing plan
      // (docs/security.md, "Who can publish").
      enableKeyRotation: false,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.alias = this.key.addAlias(props.aliasName);
  }

  /** `kms:<key ARN>`: the value of MODEL_SIGNING_KEY. */
  public get environmentValue(): string {
    return `kms:${this.key.keyArn}`;
  }

  /**
   * Makes `signer` the key's one signer: it may sign (ECDSA_SHA_256 only) and read the public key, and the
   * key's own policy denies kms:Sign to every other principal, so that a broad IAM policy elsewhere in the
   * account (PowerUserAccess allows kms:* on every key) does not make its holder a publisher. The deny
   * leaves the key policy itself manageable (kms:PutKeyPolicy is not denied): the account can still repair it.
   */
  public grantSign(signer: iam.IRole): void {
    if (this.signer !== undefined) throw new Error('The model signing key has one signer: the training job');
    this.signer = signer;
    this.grantVerify(signer);
    // The key's policy lets the account's IAM policies decide (CDK's default key policy), so the grant is
    // the role's own policy.
    iam.Grant.addToPrincipal({
      grantee: signer,
      actions: ['kms:Sign'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:SigningAlgorithm': MODEL_SIGNING_ALGORITHM } },
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySignButPublisher',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': signer.roleArn } },
      }),
    );
  }

  /** Read the public key only: verifying happens in the function, with node:crypto. */
  public grantVerify(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['kms:GetPublicKey'], resourceArns: [this.key.keyArn] });
  }
}
