import { signingKeyAlias } from '../../lambda/nightly-backup/signing';
import { CLOUDFRONT_REGION } from './regions';
import type { StageConfig } from './stage-config';

/**
 * Physical names that must be known in another region before deployment.
 * Everything else is named by CloudFormation.
 */
export const physicalNames = (cfg: Pick<StageConfig, 'name' | 'account' | 'drRegion'>) => ({
  /** Object-locked copy of the backups in the DR region (BKP-REMOTE). */
  replicaBucket: `bulwark-${cfg.name}-backups-${cfg.account}-${cfg.drRegion}`,
  /** Alias of the DR region's backup key, referenced by the replication rule. */
  replicaKeyAlias: `alias/bulwark-${cfg.name}-backup-replica`,
  /** SSM parameter (us-east-1) holding the CloudFront distribution id. */
  distributionIdParameter: `/bulwark/${cfg.name}/edge/distribution-id`,
  /**
   * Role of the threat-response function (Security stack). The stacks that own the
   * blocklist IP sets, deployed later, grant it access to exactly those sets.
   */
  threatResponseRole: threatResponseRoleName(cfg.name),
  /** SSM parameter (in the web ACL's region) holding a layer's blocklist IP set ARNs. */
  blocklistParameter: (layer: 'edge' | 'origin') => blocklistParameter(cfg.name, layer),
  /** Name of the audit trail: the key policy scopes CloudTrail to it (aws:SourceArn). */
  trailName: `bulwark-${cfg.name}-audit`,
  /** RDS instance identifier of the primary; fixes its log group names. */
  databaseInstance: `bulwark-${cfg.name}-db`,
  /**
   * Role of the nightly backup function: the only principal that may sign backup
   * manifests. The signing key's policy (Data stack) names it before the App stack
   * creates it.
   */
  backupRole: `bulwark-${cfg.name}-nightly-backup`,
  /** Role that restores backups: the only principal that may verify their manifests. */
  backupRestoreRole: `bulwark-${cfg.name}-backup-restore`,
  /** Alias of the manifest-signing key, without `alias/` (what `npm run restore` looks up). */
  backupSigningKeyAlias: signingKeyAlias(cfg.name),
  /**
   * Break-glass role of operators (Security stack): named so that its alert rule,
   * its CloudTrail metric filter and the operator's `npm run break-glass` name it.
   */
  breakGlassRole: `bulwark-${cfg.name}-break-glass`,
  /**
   * Session Manager document of break-glass sessions (their logging preferences);
   * stage-specific, because an account may already have `SSM-SessionManagerRunShell`.
   */
  breakGlassSessionDocument: `bulwark-${cfg.name}-break-glass-session`,
  /** Log group receiving every break-glass session's commands and output. */
  breakGlassLogGroup: `/bulwark/${cfg.name}/break-glass/sessions`,
  /**
   * Role the stage's GitHub deploy job assumes (OIDC): it may only assume the CDK
   * bootstrap roles. Named so that the workflow can name it.
   */
  deployRole: `bulwark-${cfg.name}-deploy`,
  /** Role scheduled drift checks assume (OIDC): it may only assume the CDK lookup role. */
  deliveryReadRole: `bulwark-${cfg.name}-delivery-read`,
  /**
   * RDS instance identifier of the cross-region read replica in `drRegion`
   * (`database.crossRegionReplica`); what `npm run dr:promote` promotes.
   */
  drReplicaInstance: `bulwark-${cfg.name}-db-dr`,
  /** RDS instance identifier of read replica `n` (1-based). */
  replicaInstance: (n: number) => `bulwark-${cfg.name}-db-replica-${n}`,
});

/**
 * Where each web ACL publishes its blocklist IP set ARNs for threat response: the
 * SSM parameter and its region (us-east-1 for CloudFront's ACL).
 */
export const blocklistLocations = (cfg: { readonly name: string; readonly region: string }) =>
  (['origin', 'edge'] as const).map((layer) => ({
    layer,
    region: layer === 'edge' ? CLOUDFRONT_REGION : cfg.region,
    parameter: blocklistParameter(cfg.name, layer),
  }));

/** SSM parameter (in the web ACL's region) holding a layer's blocklist IP set ARNs. */
export function blocklistParameter(stage: string, layer: 'edge' | 'origin'): string {
  return `/bulwark/${stage}/waf/${layer}/blocklist`;
}

/** Role of a stage's threat-response function (see {@link physicalNames}). */
export function threatResponseRoleName(stage: string): string {
  return `bulwark-${stage}-threat-response`;
}
