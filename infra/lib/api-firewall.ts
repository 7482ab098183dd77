import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { GATEWAY_RESPONSES } from '../../functions/gateway-responses.js';

export interface ApiFirewallProps {
  /** The stage the web ACL guards. */
  readonly stage: apigw.Stage;
  /** Requests one client IP may send in WAF_WINDOW_SECONDS before its further requests are blocked. */
  readonly requestsPerIp: number;
}

/** The rate-based rule's window: WAF counts each IP's requests over the last 5 minutes. */
export const WAF_WINDOW_SECONDS = 300;

/** The body of a blocked request: the handlers' error shape, as API Gateway's own 429 (no request id). */
const BLOCKED_BODY = JSON.stringify({
  error: { code: GATEWAY_RESPONSES.throttled.code, message: GATEWAY_RESPONSES.throttled.message },
});

/**
 * A WAF web ACL on the API stage, before API Gateway's own checks: one rate-based rule that blocks a client
 * IP sending more than `requestsPerIp` requests in 5 minutes, keys or not. It is what bounds a stranger
 * flooding the public routes (whose throttle is shared by every caller) or sending requests with made-up
 * keys (refused by API Gateway, but counted against the stage's throttle).
 */
export class ApiFirewall extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly association: wafv2.CfnWebACLAssociation;

  public constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      description: `Blocks a client IP over ${props.requestsPerIp} requests in ${WAF_WINDOW_SECONDS / 60} minutes`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('ForecastApi'),
      customResponseBodies: {
        throttled: { contentType: 'APPLICATION_JSON', content: BLOCKED_BODY },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerIp,
              aggregateKeyType: 'IP',
              evaluationWindowSec: WAF_WINDOW_SECONDS,
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: GATEWAY_RESPONSES.throttled.status,
                customResponseBodyKey: 'throttled',
              },
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });
    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
