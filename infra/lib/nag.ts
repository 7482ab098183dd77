import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag findings this project accepts, each with the reason a reviewer reads in the validation report.
 * Rules that report one finding per policy or resource (IAM4, IAM5) are acknowledged finding by finding,
 * so that a new managed policy or a new wildcard is still an error until someone gives its reason.
 */

/** `AwsSolutions-IAM4[Policy::...]` for an AWS managed policy such as `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policy: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`;
}

/** `AwsSolutions-IAM5[Resource::<LogicalId.Arn>/suffix]` for a wildcard under a resource's ARN. */
export function arnWildcardFinding(resource: CfnElement, suffix: string): string {
  return `AwsSolutions-IAM5[Resource::<${Stack.of(resource).getLogicalId(resource)}.Arn>${suffix}]`;
}

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
