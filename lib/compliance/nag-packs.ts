import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Validations, type Stage } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
  type NagPack,
} from 'cdk-nag';
import { BulwarkChecks } from './bulwark-pack';

/** Names of the cdk-nag packs that gate every stack of every stage (the last is Bulwark's own). */
export const NAG_PACKS = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'PCI.DSS.321',
  'HIPAA.Security',
  'Serverless',
  'Bulwark',
] as const;

/** One instance of each pack of {@link NAG_PACKS}. */
export function createNagPacks(scope?: Stage): NagPack[] {
  return [
    new AwsSolutionsChecks(scope),
    new NIST80053R5Checks(scope),
    new PCIDSS321Checks(scope),
    new HIPAASecurityChecks(scope),
    new ServerlessChecks(scope),
    new BulwarkChecks(scope),
  ];
}

/** Name of the Control Tower rules plugin; its findings are `cdk-validator-cfnguard::<rule>`. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Registers the nag packs as policy-validation plugins of the app: synthesis fails,
 * and `validation-report.json` lists every finding, unless each is fixed or
 * acknowledged (see `acknowledgements.ts`). With `controlTower`, the AWS Control Tower
 * proactive controls (cfn-guard) run too; they take about 20 s, so tests and CI turn
 * them on and a local `npm run synth` does not.
 */
export function addNagPacks(app: Stage, options: { controlTower?: boolean } = {}): void {
  Validations.of(app).addPlugins(...createNagPacks(app));
  if (options.controlTower) {
    Validations.of(app).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: true }));
  }
}
