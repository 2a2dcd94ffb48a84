import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/** A real S3-protocol server (s3rver) in this process, on a free loopback port. */
export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** A client for it (path-style, placeholder credentials). */
  client(): S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver with one empty bucket, its files in a temp directory. */
export async function startLocalS3(bucket = 'bulwark-backups'): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  return {
    endpoint,
    bucket,
    client() {
      const c = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
