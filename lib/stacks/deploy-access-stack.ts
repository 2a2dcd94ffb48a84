import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { physicalNames, type StageConfig } from '../config';
import { acknowledge } from '../compliance/acknowledgements';
import { DeployAccess } from '../constructs/deploy-access';
import { OUTPUT_KEYS, STAGE_PARTS, regionOf } from '../stage-layout';

/** Properties of the {@link DeployAccessStack}. */
export interface DeployAccessStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
}

/**
 * The stage's keyless delivery path (termination-protected): GitHub's OIDC provider
 * and the roles the deploy workflow and the scheduled drift check assume. Deployed
 * once by hand before the first pipeline run, then by the pipeline like every stack.
 */
export class DeployAccessStack extends Stack {
  /** The provider and roles. */
  readonly access: DeployAccess;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const cfg = props.config;
    const names = physicalNames(cfg);
    this.access = new DeployAccess(this, 'DeployAccess', {
      ...cfg.delivery,
      deployRoleName: names.deployRole,
      readRoleName: names.deliveryReadRole,
      regions: [...new Set(STAGE_PARTS.map((part) => regionOf(part, cfg)))],
      primaryRegion: cfg.region,
    });
    for (const role of [this.access.deployRole, this.access.readRole]) {
      acknowledge(role, 'deliveryRoleInlinePolicy');
    }
    new CfnOutput(this, OUTPUT_KEYS.DeployAccess.deployRoleArn, {
      value: this.access.deployRole.roleArn,
      description: 'Role of the GitHub deploy job (OIDC, environment-scoped)',
    });
    new CfnOutput(this, OUTPUT_KEYS.DeployAccess.readRoleArn, {
      value: this.access.readRole.roleArn,
      description: 'Read-only role of the scheduled drift check (OIDC, branch-scoped)',
    });
  }
}
