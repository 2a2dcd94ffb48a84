import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStackName } from '../../lib/stage-layout';

/**
 * Why `dir`, given as `--<option>`, is not a cloud assembly the compliance report can read
 * (missing directory, no readable manifest.json, no Bulwark stacks, none of `stage`), or
 * undefined when it is one.
 */
export function assemblyProblem(option: string, dir: string, stage?: string): string | undefined {
  const given = `--${option} ${dir}`;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return `${given} is not a directory; name a synthesized cloud assembly (npm run synth writes cdk.out)`;
  }
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) {
    return `${given} is not a cloud assembly (it has no manifest.json); synthesize it first (npm run synth -- -o ${dir})`;
  }
  let artifacts: Record<string, { type?: string }>;
  try {
    artifacts =
      (JSON.parse(fs.readFileSync(file, 'utf8')) as { artifacts?: typeof artifacts }).artifacts ??
      {};
  } catch (err) {
    return `${given} has a manifest.json that is not JSON (${(err as Error).message})`;
  }
  const stages = Object.entries(artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .flatMap(([id]) => parseStackName(id)?.title ?? []);
  if (stages.length === 0) return `${given} holds no Bulwark stacks (Bulwark-<Stage>-<Part>)`;
  if (stage && !stages.some((s) => s.toLowerCase() === stage.toLowerCase())) {
    return `${given} holds no stacks of stage ${stage} (it has ${[...new Set(stages)].join(', ')})`;
  }
  return undefined;
}
