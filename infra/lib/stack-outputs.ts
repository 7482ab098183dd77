/** Names of the stack outputs: the jobs command reads them from cdk-outputs.json, docs/deploying.md names them. */
export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  apiKeyId: 'ApiKeyId',
  usagePlanId: 'UsagePlanId',
  operatorApiKeyId: 'OperatorApiKeyId',
  operatorUsagePlanId: 'OperatorUsagePlanId',
  modelSigningKeyArn: 'ModelSigningKeyArn',
  bucketName: 'BucketName',
  modelPrefix: 'ModelPrefix',
  pairs: 'Pairs',
  jobQueueName: 'JobQueueName',
  jobQueueArn: 'JobQueueArn',
  jobDefinitionName: 'JobDefinitionName',
  jobDefinitionArn: 'JobDefinitionArn',
  jobLogGroup: 'JobLogGroupName',
  alarmTopicArn: 'AlarmTopicArn',
} as const;
