import { CfnOutput, DefaultStackSynthesizer, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface TrainingImageStackProps extends StackProps {
  /** The repository's name: the main stack's synthesizer pushes the training image there. */
  readonly repositoryName: string;
  /** The CDK bootstrap qualifier, which names the role that pushes image assets. */
  readonly qualifier: string;
  /** Images kept; older ones expire (a deploy pushes one whenever the image's build context changed). */
  readonly keepImages: number;
}

/** Actions cdk-assets needs to push an image asset (and to see that it is there already). */
export const IMAGE_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:DescribeRepositories',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/** `crypto-forecast-training` style: ECR repository names are lower case. */
export function trainingRepositoryName(stackName: string): string {
  return `${stackName.toLowerCase()}-training`;
}

/**
 * The training image's own ECR repository, in a stack of its own: CDK pushes image assets before it
 * deploys the stack that uses them, so the repository must exist before the main stack's deploy starts.
 * The main stack depends on this one, so `cdk deploy` of the main stack (or `--all`) deploys it first, and
 * the CLI publishes an asset only once its stack's dependencies are deployed.
 *
 * Every push is scanned (ECR basic scanning); the main stack's Monitoring turns HIGH or CRITICAL findings
 * into a notification. Tags are immutable (CDK tags an asset with its content hash).
 */
export class TrainingImageStack extends Stack {
  public readonly repository: ecr.Repository;

  public constructor(scope: Construct, id: string, props: TrainingImageStackProps) {
    super(scope, id, {
      description: 'The training image repository of the crypto forecast stack (scanned on push)',
      ...props,
    });
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      lifecycleRules: [
        {
          description: `Keep the ${props.keepImages} most recent images`,
          maxImageCount: props.keepImages,
        },
      ],
      // Deleting the stack keeps the images (and the name): delete the repository by hand if wanted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The CDK bootstrap's image-publishing role may push only to the bootstrap repository by its own
    // policy; this repository's policy lets it push here too (same account: either policy suffices).
    const publisher = Fn.sub(DefaultStackSynthesizer.DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN, {
      Qualifier: props.qualifier,
    });
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CdkAssetPublishing',
        principals: [new iam.ArnPrincipal(publisher)],
        actions: [...IMAGE_PUSH_ACTIONS],
      }),
    );
    new CfnOutput(this, 'TrainingImageRepositoryUri', {
      value: this.repository.repositoryUri,
      description: 'ECR repository of the training image (scanned on push)',
    });
  }
}
