import { stackName } from '../stage-layout';
import { type ComplianceReport, REPORT_FORMAT, evidenceFailureText } from './report-model';

/**
 * The report as SARIF 2.1.0 for code scanning: every unresolved validation finding
 * and every missing piece of control evidence is an error result.
 */
export function toSarif(r: ComplianceReport): object {
  const results = [
    ...r.findings.map((f) => ({
      ruleId: f.rule,
      level: 'error',
      message: { text: `${f.description} (${f.plugin})` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `cdk.out/${f.path.split('/')[0]}.template.json` },
          },
          logicalLocations: [{ fullyQualifiedName: f.path }],
        },
      ],
    })),
    ...r.controls.flatMap((c) =>
      c.evidence
        .filter((e) => !e.ok)
        .map((e) => ({
          ruleId: c.id,
          level: 'error',
          message: { text: evidenceFailureText(c.id, e) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: `cdk.out/${stackName(e.stage, e.stack)}.template.json` },
              },
              logicalLocations: [{ fullyQualifiedName: stackName(e.stage, e.stack) }],
            },
          ],
        })),
    ),
  ];
  const rules = [...new Set(results.map((x) => x.ruleId))].map((id) => ({
    id,
    shortDescription: {
      text:
        r.controls.find((c) => c.id === id)?.statement ??
        r.findings.find((f) => f.rule === id)!.description,
    },
  }));
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      { tool: { driver: { name: 'bulwark-compliance', version: REPORT_FORMAT, rules } }, results },
    ],
  };
}
