/**
 * s3rver in a process of its own, for `bench:backup`: the export's uploads are then
 * served by another process than the benchmark's, and its CPU time can be read apart
 * (as `pg_dump` writes a local file, the export's S3 is a cost of its own). Usage:
 *
 *   tsx scripts/bench/s3rver-child.ts <directory> <bucket>
 *
 * Prints `port=<n>` once listening; stops when its stdin closes.
 */
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

async function main(): Promise<void> {
  const [directory, bucket] = process.argv.slice(2);
  if (!directory || !bucket) {
    console.error('usage: s3rver-child.ts <directory> <bucket>');
    process.exit(2);
  }
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: path.resolve(directory),
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  process.stdout.write(`port=${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server.close().then(() => process.exit(0));
  });
}

void main();
