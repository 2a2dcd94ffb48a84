// The Jest projects of `npm test`, by what a test file needs before it runs. Each project
// has its own global setup, which Jest runs only when at least one of the project's files
// is selected: one small unit test file therefore starts neither PostgreSQL nor a synthesis.
//
//   unit     pure code: domain, config, constructs on small stacks, scripts on mocks
//   unit-pg  code against the run's throwaway PostgreSQL cluster
//   synth    the synthesized stages (the shared assembly), the nag gate, whole-stage builds
//
// A file's needs are read from its source and the test helpers it imports (relative
// imports under test/, followed transitively), so a new test lands in the right project
// without a list to keep.
const fs = require('node:fs');
const path = require('node:path');

const TEST_ROOT = path.join(__dirname, '..');
/** Whatever reads the shared assembly or synthesizes a whole stage. */
const NEEDS_SYNTH =
  /\bSHARED_ASSEMBLY_DIR\b|\bNAG_GATE_(?:DIR|FILE)\b|\bbulwarkApp\(|\bsynthesizeStage(?:Into)?\(|\baddStage\(/;
/** Whatever uses the throwaway PostgreSQL cluster. */
const NEEDS_POSTGRES = /\bcreateTestDatabase\b|\bBULWARK_TEST_POSTGRES_URL\b/;
/** Lines of a test helper that define a marker rather than use it. */
const DEFINITION = /^\s*export (?:const|function|async function) /;

function resolveImport(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), base].find(
    (c) => fs.existsSync(c) && fs.statSync(c).isFile(),
  );
}

/** The test file and every helper under test/ it imports, transitively. */
function helpersOf(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = fs.readFileSync(file, 'utf8');
  for (const m of source.matchAll(/from\s+'(\.[^']+)'|require\('(\.[^']+)'\)/g)) {
    const target = resolveImport(file, m[1] ?? m[2]);
    if (target && target.startsWith(TEST_ROOT + path.sep)) helpersOf(target, seen);
  }
  return seen;
}

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The project of one test file: `unit`, `unit-pg` or `synth`. */
function projectOf(file) {
  const used = [...helpersOf(file)]
    .map((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => !DEFINITION.test(line))
        .join('\n'),
    )
    .join('\n');
  const synth = NEEDS_SYNTH.test(used);
  const postgres = NEEDS_POSTGRES.test(used);
  if (synth && postgres)
    throw new Error(
      `${path.relative(TEST_ROOT, file)} needs both the synthesized stages and PostgreSQL: ` +
        'split it, so that each project starts only what its files need',
    );
  return synth ? 'synth' : postgres ? 'unit-pg' : 'unit';
}

/** Every test file under test/, by project. */
function testsByProject() {
  const byProject = { unit: [], 'unit-pg': [], synth: [] };
  for (const file of testFiles(TEST_ROOT)) byProject[projectOf(file)].push(file);
  return byProject;
}

module.exports = { projectOf, testsByProject };
