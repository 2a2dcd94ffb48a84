import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { BlocklistAccess } from './blocklist-access';
import { EncryptedLogGroup } from './encrypted-log-group';
import { stackUniqueName } from './stack-unique-name';
import { topicAlarm } from './topic-alarm';
import { type WafLayer, wafResponseBodies, wafRules } from './waf-rules';

/** Properties of a {@link WebFirewall}. */
export interface WebFirewallProps {
  /** Name of the stage (in the names of the ACL, its sets and logs). */
  readonly stageName: string;
  /** The stage's `edge.waf`: managed groups, rollout modes, rate limits, alarm threshold. */
  readonly waf: StageConfig['edge']['waf'];
  /** The stage's `trustedCidrs` (IPv4 and IPv6), exempt from rate rules and reputation groups. */
  readonly trustedCidrs: readonly string[];
  /** Retention of the WAF log group, in days. */
  readonly logRetentionDays: StageConfig['logRetentionDays'];
  /** `edge` for CloudFront (deployed in us-east-1), `origin` for the ALB. */
  readonly layer: WafLayer;
  /** Customer key of the log group (must allow CloudWatch Logs). */
  readonly logKey: kms.IKey;
  /** Topic paged on a spike of blocked requests (same region as the ACL's metrics). */
  readonly alertTopic: sns.ITopic;
}

/** The four IP sets of one web ACL. */
export interface WebFirewallIpSets {
  /** Addresses blocked by threat response, filled at run time. */
  readonly blockedV4: wafv2.CfnIPSet;
  readonly blockedV6: wafv2.CfnIPSet;
  /** Trusted CIDRs from the stage config. */
  readonly trustedV4: wafv2.CfnIPSet;
  readonly trustedV6: wafv2.CfnIPSet;
}

/** Headers never written to WAF logs: they carry API keys and session tokens. */
export const REDACTED_HEADERS = ['authorization', 'cookie'] as const;

/**
 * One layer of the web application firewall (WAF-EDGE, WAF-BRUTE): a web ACL with
 * the rules of {@link wafRules}, its IP sets, logging to an encrypted
 * `aws-waf-logs-*` log group with credentials redacted, an alarm on blocked-request
 * spikes (MON-ALERT), and its blocklist handed to threat response ({@link BlocklistAccess}).
 * The stack owns the outputs of the ACL and blocklist ARNs (for verification).
 */
export class WebFirewall extends Construct {
  /** The web ACL. */
  readonly webAcl: wafv2.CfnWebACL;
  /** Its IP sets. */
  readonly ipSets: WebFirewallIpSets;
  /** Where its logs go. */
  readonly logGroup: EncryptedLogGroup;
  /** Name of the web ACL (its CloudWatch `WebACL` dimension). */
  readonly webAclName: string;
  private readonly scope: 'CLOUDFRONT' | 'REGIONAL';

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    this.scope = props.layer === 'edge' ? 'CLOUDFRONT' : 'REGIONAL';
    const name = `bulwark-${props.stageName}-${props.layer}`;
    this.webAclName = name;
    const ipSet = (setId: string, version: 'IPV4' | 'IPV6', addresses: string[], what: string) =>
      new wafv2.CfnIPSet(this, setId, {
        name: `${name}-${setId.toLowerCase()}`,
        description: what,
        scope: this.scope,
        ipAddressVersion: version,
        addresses,
      });
    const v6 = (c: string) => c.includes(':');
    this.ipSets = {
      blockedV4: ipSet('BlockedV4', 'IPV4', [], 'Blocked by threat response, IPv4'),
      blockedV6: ipSet('BlockedV6', 'IPV6', [], 'Blocked by threat response, IPv6'),
      trustedV4: ipSet(
        'TrustedV4',
        'IPV4',
        props.trustedCidrs.filter((c) => !v6(c)),
        'Trusted CIDRs from the stage config, IPv4',
      ),
      trustedV6: ipSet(
        'TrustedV6',
        'IPV6',
        props.trustedCidrs.filter(v6),
        'Trusted CIDRs from the stage config, IPv6',
      ),
    };

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: `Bulwark ${props.stageName}: ${props.layer === 'edge' ? 'CloudFront' : 'ALB'} layer`,
      scope: this.scope,
      defaultAction: { allow: {} },
      customResponseBodies: wafResponseBodies(),
      rules: wafRules(props.layer, props.waf, {
        blockedV4: this.ipSets.blockedV4.attrArn,
        blockedV6: this.ipSets.blockedV6.attrArn,
        trustedV4: this.ipSets.trustedV4.attrArn,
        trustedV6: this.ipSets.trustedV6.attrArn,
      }),
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: name,
      },
    });

    // WAF only delivers to log groups whose name starts with `aws-waf-logs-`, and
    // takes the ARN without the `:*` suffix that CloudFormation's Arn attribute has.
    // The name is unique to this creation of the stack: the group is retained, and a
    // group left by an earlier creation never blocks the next one.
    const logGroupName = stackUniqueName(`aws-waf-logs-${name}`);
    this.logGroup = new EncryptedLogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: props.logKey,
      retentionDays: props.logRetentionDays,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { Name: header } })),
    });
    logging.node.addDependency(this.logGroup);

    const threshold = props.waf.blockedAlarmThreshold;
    topicAlarm(this, 'BlockSpikeAlarm', props.alertTopic, {
      metric: this.metricBlockedRequests(),
      description: `${name}: ${threshold}+ requests blocked in 5 minutes (attack or false positives after a rule change)`,
      threshold,
    });
    new BlocklistAccess(this, 'BlocklistAccess', {
      stageName: props.stageName,
      layer: props.layer,
      blockedV4: this.ipSets.blockedV4,
      blockedV6: this.ipSets.blockedV6,
    });
  }

  /** Requests this ACL blocked, summed over `period`. */
  metricBlockedRequests(period = Duration.minutes(5)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: {
        WebACL: this.webAclName,
        Rule: 'ALL',
        // CloudFront-scope metrics have no Region dimension (they live in us-east-1).
        ...(this.scope === 'REGIONAL' ? { Region: Stack.of(this).region } : {}),
      },
      statistic: 'Sum',
      period,
    });
  }
}
