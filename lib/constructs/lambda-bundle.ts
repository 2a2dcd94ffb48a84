import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { synthCacheDir } from '../synth-cache';
import { cachedBundle } from './bundle-cache';

/** Root of the Lambda sources. */
export const LAMBDA_ROOT = path.join(__dirname, '..', '..', 'lambda');

/** Node.js version the bundles target (the Lambda runtime's). */
export const BUNDLE_TARGET = 'node24';

/**
 * esbuild options of every Lambda bundle (also used by `bench:api` to build the same
 * bundle): ES modules split into chunks, so that code loaded only on demand (the AWS
 * SDK clients) is neither read nor compiled at cold start; `index.mjs` is the entry.
 */
export function bundleOptions(
  entryPath: string,
  outdir: string,
  target = BUNDLE_TARGET,
): import('esbuild').BuildOptions {
  return {
    entryPoints: { index: entryPath },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target,
    external: ['pg-native'],
    // CommonJS dependencies (pg) call require() for Node's built-in modules.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
    logLevel: 'error',
  };
}

/**
 * Bundles `entryPath` into `outdir` with {@link bundleOptions}, or copies the bundle an
 * earlier synth built from the same files ({@link cachedBundle}).
 */
export function bundleInto(entryPath: string, outdir: string): void {
  // Loaded only when bundling: synth without bundling does not need esbuild.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  cachedBundle(
    { ...bundleOptions(entryPath, outdir), outdir },
    (options) => esbuild.buildSync(options).metafile!,
    {
      cacheDir: synthCacheDir('bundles'),
      esbuildVersion: esbuild.version,
      sourceRoot: LAMBDA_ROOT,
    },
  );
}

/**
 * The code of a Lambda under `lambda/`, bundled in-process by esbuild at synth:
 * minified ES module chunks with source maps and every AWS SDK client it imports.
 * A bundle built from the same files by an earlier synth is reused
 * ({@link cachedBundle}). Stages share the bundle (same source and options, one asset); synthesis without
 * bundling (`aws:cdk:bundling-stacks`, as in unit tests) skips it as for any asset.
 */
export function bundledCode(entry: string): lambda.Code {
  const entryPath = path.join(LAMBDA_ROOT, entry);
  return lambda.Code.fromAsset(path.dirname(entryPath), {
    // The hash of the bundle itself: it changes with any imported file or dependency.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds, so no container is needed.
      image: DockerImage.fromRegistry('unused-local-bundling-only'),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleInto(entryPath, outputDir);
          return true;
        },
      },
    },
  });
}
