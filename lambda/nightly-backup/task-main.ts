import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { poolConfig } from '../shared/db';
import { requireEnv } from '../shared/env';
import { connector } from './connect';
import { kmsSigner } from './kms-signer';
import { type ExportTaskDeps, runExportTask } from './task';

/**
 * The export task's clients and settings, from its environment (the container's), and
 * `destroy`, which closes the clients.
 */
export function taskDepsFromEnv(env: NodeJS.ProcessEnv): ExportTaskDeps & { destroy(): void } {
  const kms = new KMSClient({});
  const s3 = new S3Client({});
  const cloudWatch = new CloudWatchClient({});
  return {
    env,
    connect: connector(poolConfig(env)),
    s3,
    signer: kmsSigner(kms, requireEnv(env, 'BACKUP_SIGNING_KEY_ARN')),
    cloudWatch,
    destroy: () => [kms, s3, cloudWatch].forEach((c) => c.destroy()),
  };
}

/**
 * Entry point of the export's container image (`backup.runner: "fargate"`): one run,
 * then the process ends with its exit code, which ECS records as the task's.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let deps: ReturnType<typeof taskDepsFromEnv>;
  try {
    deps = taskDepsFromEnv(env);
  } catch (err) {
    console.error(JSON.stringify({ level: 'ERROR', message: (err as Error).message }));
    return 1;
  }
  try {
    return await runExportTask(deps);
  } finally {
    // Nothing holds the process open once the run is over.
    deps.destroy();
  }
}
