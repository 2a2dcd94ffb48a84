import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { PreflightContext } from '../context';
import { type CheckResult, errorEvidence, failWithFix, pass, skip } from '../../verify/types';

const REPO_ROOT = path.join(__dirname, '..', '..', '..', '..');

/** What Cognito needs of an identity provider's SAML metadata, or the first thing missing. */
export function samlMetadataProblem(xml: string): string | undefined {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`;
  const doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false }).parse(xml);
  const list = <T>(v: T | T[] | undefined): T[] =>
    v === undefined ? [] : Array.isArray(v) ? v : [v];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const entities: any[] = [
    ...list(doc.EntityDescriptor),
    ...list(doc.EntitiesDescriptor?.EntityDescriptor),
  ];
  if (entities.length === 0) return 'no EntityDescriptor';
  const idp = entities.flatMap((e) => list(e.IDPSSODescriptor));
  if (idp.length === 0) return 'no IDPSSODescriptor: this is not an identity provider';
  const sso = idp.flatMap((d) => list(d.SingleSignOnService));
  if (!sso.some((s) => String(s['@_Location'] ?? '').startsWith('https://'))) {
    return 'no SingleSignOnService with an https:// Location';
  }
  const certificates = idp
    .flatMap((d) => list(d.KeyDescriptor))
    .flatMap((k) => list(k.KeyInfo?.X509Data?.X509Certificate));
  if (certificates.length === 0)
    return 'no signing certificate (KeyDescriptor/KeyInfo/X509Data/X509Certificate)';
  return undefined;
}

/** IAM-SSO: the configured SAML metadata (file or URL) is identity-provider metadata Cognito accepts. */
export async function checkSaml(ctx: PreflightContext): Promise<CheckResult> {
  const saml = ctx.cfg.people.saml;
  const check = 'SAML identity provider metadata';
  if (!saml) return skip('IAM-SSO', check, 'no people.saml: people are local users of the pool');
  const source = saml.metadataFile ?? saml.metadataUrl!;
  let xml: string;
  try {
    if (saml.metadataFile) {
      xml = fs.readFileSync(path.resolve(REPO_ROOT, saml.metadataFile), 'utf8');
    } else {
      const response = await fetch(saml.metadataUrl!, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      xml = await response.text();
    }
  } catch (err) {
    return failWithFix(
      'IAM-SSO',
      check,
      `cannot read ${source}: ${errorEvidence(err)}`,
      'correct people.saml.metadataFile or metadataUrl (Cognito fetches the URL at deploy time)',
    );
  }
  const problem = samlMetadataProblem(xml);
  return problem
    ? failWithFix(
        'IAM-SSO',
        check,
        `${source}: ${problem}`,
        "download the identity provider's SAML 2.0 metadata again and point people.saml at it",
      )
    : pass(
        'IAM-SSO',
        check,
        `${source}: an identity provider with an HTTPS sign-on service and a signing certificate`,
      );
}
