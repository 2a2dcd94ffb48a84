import { S3Client } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { requireCredentials } from './aws-credentials';

/**
 * An S3 client for the backup tools. With `endpoint` (an S3-compatible server for
 * local use and tests) it uses path-style addressing and, when none are set, local
 * placeholder credentials; without it, the normal AWS endpoint and credential chain,
 * and the tool stops with a clear message when no credentials are configured.
 */
export function backupS3Client(tool: string, endpoint: string | undefined): S3Client {
  // Never the metadata address, unless an instance role is asked for explicitly.
  if (process.env.AWS_EC2_METADATA_DISABLED !== 'false') {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }
  if (!endpoint) {
    requireCredentials(tool);
    return new S3Client({});
  }
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
  });
}

/** Connects a new client to `url` (one per export worker). */
export const connectTo = (url: string) => async () => {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // reported through the failing query
  await client.connect();
  return client;
};

/** Progress lines on stderr at most once per second, and a final one. */
export function progressPrinter(format: (seconds: number) => string): {
  tick(): void;
  done(): void;
} {
  const start = Date.now();
  let last = 0;
  const print = () => process.stderr.write(`${format((Date.now() - start) / 1000)}\n`);
  return {
    tick() {
      if (Date.now() - last >= 1000) {
        last = Date.now();
        print();
      }
    },
    done: print,
  };
}

/** Megabytes with one decimal. */
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
