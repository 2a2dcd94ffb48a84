/**
 * Resolves the `implementedBy` entries of the control catalogue against the repository.
 * An entry is `Name` or `Name (note)`, and `Name` is one of:
 * - an exported class, function or const of a `.ts` file under `lib/`, `lambda/` or
 *   `scripts/` (`Database`, `grantQueueSend`);
 * - a file or directory of the repository (`lambda/content-api/`, `.ci/run`);
 * - `npm run <script>`, a script of `package.json`.
 * Every path in the note (`scripts/lib/preflight/`) must exist too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** What entries resolve against: the repository's files, exports and npm scripts. */
export interface RepoIndex {
  /** The repository's root directory. */
  readonly root: string;
  /** Exported class, function and const names, each with the files that export it. */
  readonly exported: ReadonlyMap<string, readonly string[]>;
  /** The scripts of `package.json`. */
  readonly scripts: ReadonlySet<string>;
}

/** The directories whose `.ts` files export the names an entry may use. */
export const SOURCE_DIRS = ['lib', 'lambda', 'scripts'] as const;

/** Paths in a note: a word with a slash, starting with a letter or a dot. */
const PATH_IN_NOTE = /(?<![\w/.-])(?:[A-Za-z.][\w.-]*\/[\w./-]*)/g;
/** An exported name: an identifier, nothing else. */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** `Name (note)`: the note in the last parentheses, which close the entry. */
const WITH_NOTE = /^(.+?) \((.+)\)$/;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The class, function and const names a source file exports at its top level. */
export function exportedNames(source: string, fileName = 'file.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false);
  return file.statements.flatMap((st) => {
    if (!isExported(st)) return [];
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name) {
      return [st.name.text];
    }
    if (ts.isVariableStatement(st)) {
      return st.declarationList.declarations.flatMap((d) =>
        ts.isIdentifier(d.name) ? [d.name.text] : [],
      );
    }
    return [];
  });
}

/** Indexes the repository at `root`: its exports under `lib/`, `lambda/`, `scripts/` and its npm scripts. */
export function indexRepo(root: string): RepoIndex {
  const exported = new Map<string, string[]>();
  for (const file of SOURCE_DIRS.flatMap((d) => tsFiles(path.join(root, d)))) {
    for (const name of exportedNames(fs.readFileSync(file, 'utf8'), file)) {
      exported.set(name, [...(exported.get(name) ?? []), path.relative(root, file)]);
    }
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return { root, exported, scripts: new Set(Object.keys(pkg.scripts ?? {})) };
}

const pathExists = (index: RepoIndex, p: string) => fs.existsSync(path.join(index.root, p));

/** Why `name` (an entry without its note) does not resolve, or undefined when it does. */
function nameProblem(name: string, index: RepoIndex): string | undefined {
  const npm = /^npm run (\S+)$/.exec(name);
  if (npm) {
    return index.scripts.has(npm[1]) ? undefined : `package.json has no script ${npm[1]}`;
  }
  if (IDENTIFIER.test(name)) {
    return index.exported.has(name)
      ? undefined
      : `no .ts file under ${SOURCE_DIRS.join('/, ')}/ exports ${name}`;
  }
  if (/^[\w./-]+$/.test(name) && /[/.]/.test(name)) {
    return pathExists(index, name) ? undefined : `no file or directory ${name}`;
  }
  return 'is neither an exported name, a path of the repository nor npm run <script>';
}

/** Why `entry` does not resolve (one reason per problem); empty when it does. */
export function entryProblems(entry: string, index: RepoIndex): string[] {
  const [, name, note] = WITH_NOTE.exec(entry) ?? [undefined, entry, undefined];
  const problems: string[] = [];
  const own = nameProblem(name!, index);
  if (own) problems.push(own);
  for (const p of note?.match(PATH_IN_NOTE) ?? []) {
    if (!pathExists(index, p)) problems.push(`its note names ${p}, which does not exist`);
  }
  return problems;
}

/** Every `implementedBy` entry of `controls` that does not resolve, as `<id>: '<entry>' <why>`. */
export function implementedByProblems(
  controls: readonly { readonly id: string; readonly implementedBy: readonly string[] }[],
  index: RepoIndex,
): string[] {
  return controls.flatMap((c) => {
    const empty = c.implementedBy.length === 0 ? [`${c.id}: implementedBy is empty`] : [];
    return [
      ...empty,
      ...c.implementedBy.flatMap((entry) =>
        entryProblems(entry, index).map((why) => `${c.id}: implementedBy '${entry}': ${why}`),
      ),
    ];
  });
}
