import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { LAMBDA_ROOT, bundleInto } from './lambda-bundle';

/** Entry point of the export's container: the Lambda's export code, run once. */
export const EXPORT_TASK_ENTRY = 'nightly-backup/task-entry.ts';

/**
 * Base image: the AWS Lambda Node.js 24 image, the runtime the backup Lambda runs on,
 * so that the task and the function run the same code on the same Node.js. Its
 * entry point (the Lambda runtime interface) is replaced by Node.js itself.
 */
export const EXPORT_BASE_IMAGE = 'public.ecr.aws/lambda/nodejs:24';

/** Unprivileged user and group the export runs as (`nobody`). */
export const EXPORT_TASK_USER = '65534:65534';

/** The Dockerfile of the export image: the bundle copied in, nothing run at build. */
export const EXPORT_DOCKERFILE = `# The nightly export as an ECS Fargate task (backup.runner "fargate"), built at synth
# from lambda/nightly-backup/ with the Lambda bundles' options. No RUN step: the image
# builds for arm64 on any host.
FROM ${EXPORT_BASE_IMAGE}
COPY *.mjs *.map /opt/export/
USER ${EXPORT_TASK_USER}
WORKDIR /opt/export
ENTRYPOINT ["node", "--enable-source-maps", "/opt/export/index.mjs"]
`;

const directories = new Map<boolean, string>();

/**
 * The directory the image is built from, made once per synth: the esbuild bundle of
 * {@link EXPORT_TASK_ENTRY} and the Dockerfile. Without bundling (unit tests'
 * `aws:cdk:bundling-stacks`) only an empty stand-in for the bundle is written, as Lambda
 * assets skip their bundling then.
 */
function imageDirectory(bundle: boolean): string {
  const known = directories.get(bundle);
  if (known) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-export-image-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  if (bundle) {
    bundleInto(path.join(LAMBDA_ROOT, EXPORT_TASK_ENTRY), dir);
  } else {
    fs.writeFileSync(path.join(dir, 'index.mjs'), '');
    fs.writeFileSync(path.join(dir, 'index.mjs.map'), '');
  }
  fs.writeFileSync(path.join(dir, 'Dockerfile'), EXPORT_DOCKERFILE);
  directories.set(bundle, dir);
  return dir;
}

/**
 * The export's container image (BKP-DAILY), for arm64 like the Lambdas: a Docker
 * image asset that `cdk deploy` builds and pushes to the bootstrap repository. Stages
 * share it (same directory content, one asset).
 */
export function exportImage(scope: Construct): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(imageDirectory(Stack.of(scope).bundlingRequired), {
    platform: ecrAssets.Platform.LINUX_ARM64,
  });
}
