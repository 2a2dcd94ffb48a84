import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as shield from 'aws-cdk-lib/aws-shield';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type StageConfig, physicalNames } from '../config';
import { AlertTopic } from '../constructs/alert-topic';
import { ContentDistribution } from '../constructs/content-distribution';
import { DistributionAccessLogs } from '../constructs/distribution-access-logs';
import { EncryptionKey } from '../constructs/encryption-key';
import { ShieldProtection } from '../constructs/shield-protection';
import { stageHostedZone } from '../constructs/stage-hosted-zone';
import { topicAlarm } from '../constructs/topic-alarm';
import { WebFirewall } from '../constructs/web-firewall';
import { OUTPUT_KEYS } from '../stage-layout';
import type { AppStack } from './app-stack';
import type { DataStack } from './data-stack';

const OUTPUTS = OUTPUT_KEYS.Edge;

/** Properties of the {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
  /** The load balancer (API origin) and its name for TLS. */
  readonly app: AppStack;
  /** The assets bucket (second origin). */
  readonly data: DataStack;
}

/**
 * The public front door, in us-east-1 where CloudFront takes its certificate and web
 * ACL and publishes its logs and metrics (stateless): the distribution, the
 * CloudFront-scope web ACL with its IP sets and logs (WAF-EDGE, WAF-BRUTE), the
 * viewer certificate, access logs (MON-AUDIT), alarms to a us-east-1 alert topic
 * (MON-ALERT), and Shield Advanced for the distribution when enabled (DDOS).
 */
export class EdgeStack extends Stack {
  /** The CloudFront-scope web application firewall. */
  readonly firewall: WebFirewall;
  /** Viewer certificate of the stage's domain. */
  readonly certificate: acm.Certificate;
  /** The distribution. */
  readonly distribution: ContentDistribution;
  /** Alert topic in us-east-1, with the same subscribers as the primary one. */
  readonly alertTopic: AlertTopic;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config: cfg, app, data } = props;
    const key = new EncryptionKey(this, 'EdgeKey', {
      alias: `bulwark-${cfg.name}-edge`,
      description: 'Bulwark edge logs and alert topic (us-east-1)',
      allowCloudWatchLogs: true,
      servicePrincipals: ['cloudwatch', 'sns'],
    });
    this.alertTopic = new AlertTopic(this, 'AlertTopic', {
      encryptionKey: key,
      email: cfg.alerts.email,
      onCallUrl: cfg.alerts.onCallUrl,
    });
    const topic = this.alertTopic.topic;
    new CfnOutput(this, OUTPUTS.alertTopicArn, {
      value: topic.topicArn,
      description: 'Alert topic of the us-east-1 alarms (npm run verify)',
    });
    this.firewall = new WebFirewall(this, 'Firewall', {
      stageName: cfg.name,
      waf: cfg.edge.waf,
      trustedCidrs: cfg.trustedCidrs,
      logRetentionDays: cfg.logRetentionDays,
      layer: 'edge',
      logKey: key,
      alertTopic: topic,
    });
    new CfnOutput(this, OUTPUTS.webAclArn, { value: this.firewall.webAcl.attrArn });
    new CfnOutput(this, OUTPUTS.blockedV4Arn, { value: this.firewall.ipSets.blockedV4.attrArn });
    new CfnOutput(this, OUTPUTS.blockedV6Arn, { value: this.firewall.ipSets.blockedV6.attrArn });

    // DNS validation through the hosted zone when configured; otherwise the stack
    // waits until the CNAME shown in the ACM console is added to the domain's DNS.
    const zone = stageHostedZone(this, cfg.edge.hostedZone);
    this.certificate = new acm.Certificate(this, 'ViewerCertificate', {
      domainName: cfg.domainName,
      validation: acm.CertificateValidation.fromDns(zone),
    });

    this.distribution = new ContentDistribution(this, 'Distribution', {
      domainName: cfg.domainName,
      certificate: this.certificate,
      webAclArn: this.firewall.webAcl.attrArn,
      loadBalancer: app.loadBalancer.loadBalancer,
      originDomainName: app.originDomainName,
      assetsBucket: data.assetsBucket,
      edge: cfg.edge,
      hostedZone: zone,
    });
    const distribution = this.distribution.distribution;
    // The CDN invalidator (primary region) reads the id from here at cold start.
    new CfnOutput(this, OUTPUTS.distributionId, { value: distribution.distributionId });
    new CfnOutput(this, OUTPUTS.distributionDomainName, {
      value: distribution.distributionDomainName,
    });
    new CfnOutput(this, OUTPUTS.distributionArn, {
      value: distribution.distributionArn,
      description: 'ARN of the distribution (Shield Advanced, npm run verify)',
    });
    new ssm.StringParameter(this, 'DistributionIdParameter', {
      parameterName: physicalNames(cfg).distributionIdParameter,
      description: 'Id of the Bulwark CloudFront distribution (read by the CDN invalidator)',
      stringValue: distribution.distributionId,
    });

    new DistributionAccessLogs(this, 'AccessLogs', {
      name: `bulwark-${cfg.name}-cdn`,
      distributionArn: distribution.distributionArn,
      encryptionKey: key,
      retentionDays: cfg.logRetentionDays,
    });
    topicAlarm(this, 'ServerErrorRateAlarm', topic, {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
        statistic: 'Average',
        period: Duration.minutes(5),
      }),
      description: 'CloudFront: over 5% of responses are 5xx for 10 minutes',
      threshold: 5,
      periods: 2,
    });

    if (cfg.shield.advanced) {
      const cdn = new ShieldProtection(this, 'DistributionShield', {
        name: `bulwark-${cfg.name}-cdn`,
        resourceArn: distribution.distributionArn,
        alertTopic: topic,
      });
      const group = new shield.CfnProtectionGroup(this, 'ShieldGroup', {
        protectionGroupId: `bulwark-${cfg.name}`,
        aggregation: 'MAX',
        pattern: 'ARBITRARY',
        members: [distribution.distributionArn, app.loadBalancer.loadBalancer.loadBalancerArn],
      });
      group.node.addDependency(cdn);
    }
  }
}
