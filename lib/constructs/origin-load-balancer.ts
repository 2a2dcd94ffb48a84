import { Duration, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { topicAlarm } from './topic-alarm';

/** Properties of an {@link OriginLoadBalancer}. */
export interface OriginLoadBalancerProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets in every AZ of the VPC (AVL-LB). */
  readonly subnets: ec2.SubnetSelection;
  /** Its security group: admits CloudFront on 443 only (NET-SG). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Certificate of the origin name CloudFront connects to. */
  readonly certificate: acm.ICertificate;
  /** The content API function, target of `/v1/*` and `/health`. */
  readonly apiFunction: lambda.IFunction;
  /** Bucket and prefix of the access logs (MON-AUDIT). */
  readonly accessLogs: { readonly bucket: s3.IBucket; readonly prefix: string };
  /** Regional web ACL to associate (WAF-EDGE, second layer). */
  readonly webAclArn: string;
  /** Refuse deletion (production). */
  readonly deletionProtection: boolean;
  /** Topic of its alarms. */
  readonly alertTopic: sns.ITopic;
}

/**
 * A Lambda target that only this account's target groups in this region may invoke
 * (the stock target grants the load-balancing service without any condition).
 */
function invokableByLoadBalancers(fn: lambda.IFunction): elbv2.IApplicationLoadBalancerTarget {
  return {
    attachToApplicationTargetGroup(targetGroup) {
      const { account, region, partition } = Stack.of(targetGroup);
      const id = 'InvokeByThisAccountsTargetGroups';
      fn.addPermission(id, {
        principal: new iam.ServicePrincipal('elasticloadbalancing.amazonaws.com'),
        sourceAccount: account,
        sourceArn: `arn:${partition}:elasticloadbalancing:${region}:${account}:targetgroup/*`,
      });
      targetGroup.node.addDependency(fn.node.findChild(id));
      return { targetType: elbv2.TargetType.LAMBDA, targetJson: { id: fn.functionArn } };
    },
  };
}

/** Paths routed to the content API; everything else gets a JSON 404 from the ALB. */
export const API_PATH_PATTERNS = ['/v1/*', '/health'] as const;

/** Strictest ELB policy of TLS 1.3 and 1.2 with forward-secret AEAD ciphers only. */
export const ALB_TLS_POLICY = elbv2.SslPolicy.TLS13_RES;

/**
 * The content API's load balancer (AVL-LB, ENC-TRANSIT): internal, in every AZ,
 * reached only by CloudFront as a VPC origin. One HTTPS listener with a TLS 1.3/1.2
 * policy; invalid header fields dropped, strictest desync mitigation, access logs,
 * the regional web ACL, and alarms on 5xx and unhealthy targets.
 */
export class OriginLoadBalancer extends Construct {
  /** The load balancer. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener. */
  readonly listener: elbv2.ApplicationListener;
  /** The content API target group. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: OriginLoadBalancerProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: false,
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      deletionProtection: props.deletionProtection,
      http2Enabled: true,
      idleTimeout: Duration.seconds(30),
    });
    if (!props.deletionProtection) acknowledge(this.loadBalancer, 'stagingLoadBalancerDeletable');
    this.loadBalancer.logAccessLogs(props.accessLogs.bucket, props.accessLogs.prefix);
    acknowledge(this.loadBalancer, 'loadBalancerLogTargetImported');

    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      sslPolicy: ALB_TLS_POLICY,
      certificates: [props.certificate],
      // The security group already admits CloudFront only; never 0.0.0.0/0.
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }),
      }),
    });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'ContentApi', {
      targetType: elbv2.TargetType.LAMBDA,
      targets: [invokableByLoadBalancers(props.apiFunction)],
      healthCheck: {
        enabled: true,
        path: '/health',
        interval: Duration.seconds(60),
        timeout: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
        healthyHttpCodes: '200',
      },
    });
    // Single-value headers: the content API answers with `headers`, which the ALB
    // ignores once multi-value headers are on (it then reads `multiValueHeaders`).
    this.listener.addTargetGroups('ContentApi', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns([...API_PATH_PATTERNS])],
      targetGroups: [this.targetGroup],
    });

    new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: props.webAclArn,
    });

    const metric = (name: string, extra: Record<string, string> = {}) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName: name,
        dimensionsMap: { LoadBalancer: this.loadBalancer.loadBalancerFullName, ...extra },
        statistic: name === 'UnHealthyHostCount' ? 'Maximum' : 'Sum',
        period: Duration.minutes(5),
      });
    const requests = metric('RequestCount');
    topicAlarm(this, 'ServerErrorRateAlarm', props.alertTopic, {
      metric: new cloudwatch.MathExpression({
        expression: '100 * (elb5xx + target5xx) / MAX([requests, 1])',
        usingMetrics: {
          elb5xx: metric('HTTPCode_ELB_5XX_Count'),
          target5xx: metric('HTTPCode_Target_5XX_Count'),
          requests,
        },
        label: '5xx % of requests',
        period: Duration.minutes(5),
      }),
      description: 'ALB: over 5% of requests answered 5xx for 10 minutes',
      threshold: 5,
      periods: 2,
    });
    topicAlarm(this, 'UnhealthyTargetsAlarm', props.alertTopic, {
      metric: metric('UnHealthyHostCount', {
        TargetGroup: this.targetGroup.targetGroupFullName,
      }),
      description: 'ALB: the content API fails its /health check',
      threshold: 1,
      periods: 2,
    });
  }
}
