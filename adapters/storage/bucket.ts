import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3ServiceException,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { toArtifactError } from './s3-errors.js';

/**
 * Creates the bucket if it does not exist: for the local stack and tests, and a training run against
 * MinIO. Deployed buckets come from the CDK app, and the roles that serve or train cannot create one.
 */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const missing =
      error instanceof S3ServiceException &&
      (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchBucket');
    if (!missing) {
      throw toArtifactError(error, { operation: 'HeadBucket', bucket });
    }
  }
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that refuses to be named here.
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (error) {
    // Someone created it between our two calls; fine if it is ours to use, which a HEAD tells.
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 409) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (again) {
        throw toArtifactError(again, { operation: 'HeadBucket', bucket });
      }
      return;
    }
    throw toArtifactError(error, { operation: 'CreateBucket', bucket });
  }
}
