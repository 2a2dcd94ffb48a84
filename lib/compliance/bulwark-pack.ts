import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagRuleCompliance, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { BULWARK_RULES, type RuleOutcome } from './bulwark-rules';
import type { CfnJson } from './controls';

const COMPLIANCE: Record<RuleOutcome, NagRuleCompliance> = {
  compliant: NagRuleCompliance.COMPLIANT,
  'non-compliant': NagRuleCompliance.NON_COMPLIANT,
  'not-applicable': NagRuleCompliance.NOT_APPLICABLE,
};

/** The resource's properties as they will stand in the template (resolved, CloudFormation names). */
function renderedProperties(node: CfnResource): CfnJson {
  const fragment = Stack.of(node).resolve(
    (node as unknown as { _toCloudFormation(): CfnJson })._toCloudFormation(),
  );
  return Object.values<CfnJson>(fragment.Resources ?? {})[0]?.Properties ?? {};
}

/**
 * Bulwark's own rule pack: checks for the controls that no public pack covers
 * (`lib/compliance/bulwark-rules.ts`), applied and acknowledged like the others.
 */
export class BulwarkChecks extends NagPack {
  readonly name = 'Bulwark';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'Bulwark';
  }

  protected checkResource(node: CfnResource): void {
    const rules = BULWARK_RULES.filter((r) => r.resourceType === node.cfnResourceType);
    if (rules.length === 0) return;
    const properties = renderedProperties(node);
    for (const rule of rules) {
      const judge = Object.defineProperty(() => COMPLIANCE[rule.check(properties)], 'name', {
        value: rule.id,
      });
      this.applyRule({
        info: `${rule.info} (${rule.control})`,
        explanation: rule.explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: judge,
      });
    }
  }
}
