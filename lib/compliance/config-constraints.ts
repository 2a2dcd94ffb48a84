/**
 * Constraints of the stage config that the catalogue's evidence depends on: values the
 * schema (`lib/config/schema.ts`) refuses because a stage built with them would fail a
 * control. A test proves the schema refuses each value, naming the key, and that a stage
 * built with it anyway fails the control's evidence.
 */

/** A config key whose values a control constrains. */
export interface ConfigConstraint {
  /** The control whose evidence such a value would fail (`DR-REPL`). */
  readonly control: string;
  /** The key in a stage's config, dotted (`database.readReplicas`). */
  readonly key: string;
  /** Values the schema refuses (boundaries first). */
  readonly refused: readonly unknown[];
  /** Values just inside the boundary, which the schema accepts and the evidence holds with. */
  readonly accepted: readonly unknown[];
  /** Why: what the control needs of the key. */
  readonly why: string;
}

/** Every constraint the catalogue puts on the stage config. */
export const CONFIG_CONSTRAINTS: readonly ConfigConstraint[] = [
  {
    control: 'DR-REPL',
    key: 'database.readReplicas',
    refused: [0],
    accepted: [1],
    why: 'the primary has at least one read replica',
  },
  {
    control: 'BKP-DB',
    key: 'backupRetentionDays',
    refused: [29, 1],
    accepted: [30],
    why: 'automated database backups are kept at least 30 days',
  },
  {
    control: 'AVL-LB',
    key: 'network.azCount',
    refused: [1],
    accepted: [2],
    why: 'the internal load balancer spans at least two availability zones',
  },
  {
    control: 'IAM-SSO',
    key: 'people.accessTokenMinutes',
    refused: [61, 120],
    accepted: [60],
    why: 'access tokens, which cannot be recalled, live an hour at most',
  },
  {
    control: 'MON-ALERT',
    key: 'alerts.onCallUrl',
    refused: ['http://oncall.example.com/hooks/bulwark'],
    accepted: ['https://oncall.example.com/hooks/bulwark'],
    why: 'on-call is paged by an HTTPS webhook',
  },
  {
    control: 'SDLC-CHANGE',
    key: 'delivery.repository',
    refused: ['example-org/*', '*/bulwark', 'example-org/bulwark?'],
    accepted: ['example-org/bulwark-cms'],
    why: "the deploy and read roles trust one repository's OIDC tokens",
  },
  {
    control: 'SDLC-CHANGE',
    key: 'delivery.environment',
    refused: ['*', 'staging-*', 'prod?'],
    accepted: ['staging-eu'],
    why: "only the stage's GitHub environment may assume the deploy role",
  },
  {
    control: 'SDLC-CHANGE',
    key: 'delivery.branch',
    refused: ['*', 'release/*', 'main?'],
    accepted: ['release/2025'],
    why: 'scheduled drift checks are trusted for one branch only',
  },
];
