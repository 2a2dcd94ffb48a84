import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { blocklistParameter, threatResponseRoleName } from '../config';
import type { WafLayer } from './waf-rules';

/** Properties of {@link BlocklistAccess}. */
export interface BlocklistAccessProps {
  /** Name of the stage: it fixes the parameter and the threat-response role. */
  readonly stageName: string;
  /** Which web ACL the sets belong to. */
  readonly layer: WafLayer;
  /** The blocklist IP sets. */
  readonly blockedV4: wafv2.CfnIPSet;
  readonly blockedV6: wafv2.CfnIPSet;
}

/**
 * Hands one web ACL's blocklist IP sets to threat response (THR-BLOCK): publishes
 * their ARNs in an SSM parameter in this region, and grants the threat-response
 * role (Security stack, deployed earlier) `GetIPSet`/`UpdateIPSet` on exactly these
 * two sets and read access to exactly that parameter.
 */
export class BlocklistAccess extends Construct {
  /** The parameter the function reads the set ARNs from. */
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: BlocklistAccessProps) {
    super(scope, id);
    const sets = [props.blockedV4.attrArn, props.blockedV6.attrArn];
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: blocklistParameter(props.stageName, props.layer),
      description: `Blocklist IP sets of the ${props.layer} web ACL, for threat response`,
      stringValue: Stack.of(this).toJsonString({ v4: sets[0], v6: sets[1] }),
    });
    const role = iam.Role.fromRoleName(
      this,
      'ThreatResponseRole',
      threatResponseRoleName(props.stageName),
    );
    // A managed policy: it stays visible on its own in IAM, beside the role's inline policy.
    new iam.ManagedPolicy(this, 'Policy', {
      description: `Threat response: update the ${props.layer} web ACL's blocklist IP sets`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
          resources: sets,
        }),
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [this.parameter.parameterArn],
        }),
      ],
    });
  }
}
