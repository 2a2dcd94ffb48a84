import * as fs from 'node:fs';
import * as path from 'node:path';

// The classifier is the Jest config's own CommonJS module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { projectOf, testsByProject } = require('./jest-projects') as {
  projectOf(file: string): string;
  testsByProject(): Record<string, string[]>;
};

const TEST_ROOT = path.join(__dirname, '..');
const at = (file: string) => path.join(TEST_ROOT, file);

describe('the Jest projects', () => {
  it.each([
    ['lambda/threat-response/addresses.test.ts', 'unit'],
    // It imports the synth helpers for the project context only: their definitions do not count.
    ['config/stage-config.test.ts', 'unit'],
    ['lambda/content-api/handler.test.ts', 'unit-pg'],
    ['scripts/backup-restore.test.ts', 'unit-pg'],
    ['stacks/data-stack.test.ts', 'synth'],
    // Through a helper: the access-path model reads the shared assembly.
    ['compliance/access-paths.test.ts', 'synth'],
    ['config/catalogue-constraints.test.ts', 'synth'],
  ])('puts %s in %s', (file, project) => {
    expect(projectOf(at(file))).toBe(project);
  });

  it('puts every test file in exactly one project', () => {
    const all = Object.values(testsByProject()).flat();
    expect(new Set(all).size).toBe(all.length);
    const found = fs
      .readdirSync(TEST_ROOT, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join(TEST_ROOT, f));
    expect(all.sort()).toEqual(found.sort());
  });

  it('refuses a file that needs both the synthesized stages and PostgreSQL', () => {
    const dir = fs.mkdtempSync(path.join(TEST_ROOT, 'support', 'projects-fixture-'));
    try {
      const file = path.join(dir, 'both.test.ts');
      // Assembled from parts, so that this file's own source names neither.
      const [assembly, database] = ['SHARED_' + 'ASSEMBLY_DIR', 'create' + 'TestDatabase'];
      fs.writeFileSync(
        file,
        `import { ${assembly} } from '../paths';\n` +
          `import { ${database} } from '../database';\n` +
          `void ${assembly}; void ${database};\n`,
      );
      expect(() => projectOf(file)).toThrow(
        /both\.test\.ts needs both the synthesized stages and PostgreSQL: split it/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
