import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file a failed synthesis leaves in the assembly: every validation plugin's findings. */
export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** `validation-report.json` as aws-cdk-lib writes it (the fields Bulwark reads). */
export interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/** A finding of a validation plugin (nag pack, CloudFormation validation) left in the assembly. */
export interface ValidationFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly description: string;
  readonly path: string;
}

/** The validation report of the assembly at `dir`, or undefined when it has none. */
export function readValidationReport(dir: string): ValidationReport | undefined {
  const file = path.join(dir, VALIDATION_REPORT_FILE);
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport)
    : undefined;
}

/** Every finding of the report: one per plugin, rule and violating construct. */
export function validationFindings(report: ValidationReport | undefined): ValidationFinding[] {
  return (report?.pluginReports ?? []).flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({
        plugin: p.pluginName,
        rule: v.ruleName,
        description: v.description,
        path: c.constructPath,
      })),
    ),
  );
}
