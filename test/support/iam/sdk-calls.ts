import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The IAM actions a Lambda's code can call, read from its source: every file its
 * handler imports (statically or with `import()`, relative paths), each AWS SDK
 * package (or Powertools Parameters provider) such a file references, and each `*Command` of that package named in it.
 * Tests compare this with the access paths they prove, so a new SDK call without a
 * proven permission fails the build.
 */

/** IAM service prefix of each SDK client package Bulwark's Lambdas use. */
const SERVICE_OF: Record<string, string> = {
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-wafv2': 'wafv2',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-kms': 'kms',
};

/** The document client's commands, by the DynamoDB action each calls. */
const DOCUMENT_CLIENT: Record<string, string> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  TransactGetCommand: 'dynamodb:TransactGetItems',
  TransactWriteCommand: 'dynamodb:TransactWriteItems',
};

/** Packages whose use means fixed actions. */
const IMPLIED: Record<string, readonly string[]> = {
  // Multipart upload: CreateMultipartUpload, UploadPart and Complete are s3:PutObject.
  '@aws-sdk/lib-storage': ['s3:PutObject', 's3:AbortMultipartUpload'],
  // An IAM authentication token for the database user.
  '@aws-sdk/rds-signer': ['rds-db:connect'],
  // Powertools' SSM provider, as Bulwark uses it: `get` of one parameter.
  '@aws-lambda-powertools/parameters/ssm': ['ssm:GetParameter'],
};

const IMPORT =
  /(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveFile(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

/** Every file `entry` imports, itself included (relative imports only). */
export function importGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = m[1] ?? m[2];
      if (!specifier.startsWith('.')) continue;
      const target = resolveFile(file, specifier);
      if (target) visit(target);
    }
  };
  visit(entry);
  return [...seen].sort();
}

/** The IAM actions of every AWS SDK call in the code `entry` loads, with the file of each. */
export function sdkCalls(entry: string): Map<string, string> {
  const calls = new Map<string, string>();
  for (const file of importGraph(entry)) {
    const source = fs.readFileSync(file, 'utf8');
    const packages = new Set(
      [
        ...source.matchAll(
          /['"](@aws-sdk\/[a-z0-9-]+|@aws-lambda-powertools\/parameters(?:\/[a-z]+)?)['"]/g,
        ),
      ].map((m) => m[1]),
    );
    const commands = new Set(
      [...source.matchAll(/\b([A-Z][A-Za-z0-9]*Command)\b/g)].map((m) => m[1]),
    );
    const relative = path.relative(path.join(__dirname, '..', '..', '..'), file);
    for (const pkg of packages) {
      for (const action of IMPLIED[pkg] ?? []) calls.set(action, relative);
      if (pkg === '@aws-sdk/lib-dynamodb') {
        for (const c of commands) if (DOCUMENT_CLIENT[c]) calls.set(DOCUMENT_CLIENT[c], relative);
        continue;
      }
      const service = SERVICE_OF[pkg];
      if (!service) {
        if (!IMPLIED[pkg]) throw new Error(`${relative}: no IAM service known for ${pkg}`);
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(pkg) as Record<string, unknown>;
      for (const c of commands) {
        if (typeof exported[c] === 'function') {
          calls.set(`${service}:${c.slice(0, -'Command'.length)}`, relative);
        }
      }
    }
  }
  return calls;
}
