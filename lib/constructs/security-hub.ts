import { Stack } from 'aws-cdk-lib';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';

/** Security Hub standards Bulwark subscribes to, by ARN suffix. */
export const SECURITY_HUB_STANDARDS = {
  FoundationalBestPractices: 'standards/aws-foundational-security-best-practices/v/1.0.0',
  CisFoundations: 'standards/cis-aws-foundations-benchmark/v/3.0.0',
} as const;

/**
 * Security Hub with the AWS Foundational Security Best Practices and CIS AWS
 * Foundations standards, consolidated control findings (THR-DETECT, MON-AUDIT).
 */
export class SecurityHub extends Construct {
  /** The hub. */
  readonly hub: securityhub.CfnHub;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { region, partition } = Stack.of(this);
    this.hub = new securityhub.CfnHub(this, 'Resource', {
      enableDefaultStandards: false,
      autoEnableControls: true,
      controlFindingGenerator: 'SECURITY_CONTROL',
    });
    for (const [name, suffix] of Object.entries(SECURITY_HUB_STANDARDS)) {
      const standard = new securityhub.CfnStandard(this, name, {
        standardsArn: `arn:${partition}:securityhub:${region}::${suffix}`,
      });
      standard.addResourceDependency(this.hub);
    }
  }
}
