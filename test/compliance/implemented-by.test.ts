import * as path from 'node:path';
import { CONTROLS } from '../../lib/compliance/controls';
import {
  type RepoIndex,
  entryProblems,
  exportedNames,
  implementedByProblems,
  indexRepo,
} from '../support/implemented-by';

const ROOT = path.join(__dirname, '..', '..');
let repo: RepoIndex;
beforeAll(() => {
  repo = indexRepo(ROOT);
});

const control = (implementedBy: string[]) => ({ id: 'TEST-CTRL', implementedBy });

describe('the implementedBy resolver', () => {
  it.each([
    ['an exported class', 'Database'],
    ['an exported function', 'grantQueueSend'],
    ['an exported const of a lambda', 'SECURITY_HEADERS'],
    ['a directory', 'lambda/content-api/'],
    ['a file without an extension', '.ci/run'],
    ['a file', '.github/workflows/ci.yml'],
    ['an npm script', 'npm run verify'],
    ['a name with a note naming a path', 'npm run preflight (scripts/lib/preflight/)'],
    ['a name with a note naming no path', 'NightlyBackup (freshness alarm)'],
  ])('resolves %s: %s', (_what, entry) => {
    expect(entryProblems(entry, repo)).toEqual([]);
  });

  it('rejects a dangling name, naming the control and the entry', () => {
    expect(implementedByProblems([control(['Database', 'NightlyBackupp'])], repo)).toEqual([
      "TEST-CTRL: implementedBy 'NightlyBackupp': no .ts file under lib/, lambda/, scripts/ exports NightlyBackupp",
    ]);
  });

  it('rejects a missing path', () => {
    expect(implementedByProblems([control(['lambda/content-apy/'])], repo)).toEqual([
      "TEST-CTRL: implementedBy 'lambda/content-apy/': no file or directory lambda/content-apy/",
    ]);
  });

  it('rejects a missing path in a note', () => {
    expect(implementedByProblems([control(['npm run drift (scripts/lib/drfit/)'])], repo)).toEqual([
      "TEST-CTRL: implementedBy 'npm run drift (scripts/lib/drfit/)': its note names scripts/lib/drfit/, which does not exist",
    ]);
  });

  it('rejects an unknown npm script', () => {
    expect(implementedByProblems([control(['npm run restore-all'])], repo)).toEqual([
      "TEST-CTRL: implementedBy 'npm run restore-all': package.json has no script restore-all",
    ]);
  });

  it('rejects a description that names no code, and an empty list', () => {
    expect(
      implementedByProblems(
        [control(['Shield Standard (AWS, always on)']), { id: 'EMPTY', implementedBy: [] }],
        repo,
      ),
    ).toEqual([
      "TEST-CTRL: implementedBy 'Shield Standard (AWS, always on)': is neither an exported name, a path of the repository nor npm run <script>",
      'EMPTY: implementedBy is empty',
    ]);
  });

  it('rejects a name that is only declared, imported or exported as a type', () => {
    const names = exportedNames(
      [
        "import { Imported } from './x';",
        'class Local {}',
        'export interface Shape {}',
        'export type Alias = string;',
        'export class Exported {}',
        'export function helper() {}',
        'export const ONE = 1, two = 2;',
      ].join('\n'),
    );
    expect(names).toEqual(['Exported', 'helper', 'ONE', 'two']);
  });
});

describe('the catalogue', () => {
  it('names in implementedBy only exported code, paths and npm scripts that exist', () => {
    expect(implementedByProblems(CONTROLS, repo)).toEqual([]);
  });
});
