import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The rooms of src/ and the one direction imports run (README "How it is built"): a file may import
 * from its own room or from a room listed below it, never above. Test files and src/testing are
 * exempt. The TFDV format files (stats/, schema/, validation/types.ts) are a room of their own
 * at the bottom, so the protocol can name the payload types without depending on the libraries.
 */
const LAYERS: string[][] = [
  ['index', 'api'],
  ['cli'],
  ['notebook'],
  ['orchestration'],
  ['components'],
  ['visualize'],
  ['evaluator', 'serving'],
  ['trainer'],
  ['model'],
  ['feature_selection', 'validation', 'datasets', 'setup'],
  ['transform'],
  ['schema'],
  ['stats'],
  ['data'],
  ['dsl'],
  ['metadata'],
  ['dsl/artifact'],
  ['protocol'],
  ['formats'],
  ['io'],
  ['util'],
];
const FORMAT_FILES = new Set(['stats/types.ts', 'schema/types.ts', 'validation/types.ts']);
const src = path.resolve(__dirname, '..', 'src');

function roomOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep).join('/');
  if (FORMAT_FILES.has(rel)) return 'formats';
  // Artifact types sit below the metadata store (which stores artifacts); component specs and pipelines above it (executors get the store).
  if (rel === 'dsl/artifact.ts') return 'dsl/artifact';
  return rel.includes('/') ? rel.split('/')[0] : rel.replace(/\.ts$/, '');
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: { target: string; typeOnly: boolean }[] = [];
  const pattern = /(import|export)(\s+type)?[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4] ?? m[5];
    let target = path.resolve(path.dirname(file), spec);
    if (fs.existsSync(`${target}.ts`)) target = `${target}.ts`;
    else if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index.ts');
    found.push({ target, typeOnly: Boolean(m[2]) });
  }
  return found;
}

const rank = new Map(LAYERS.flatMap((rooms, i) => rooms.map((room) => [room, LAYERS.length - i] as const)));
const files = sourceFiles(src);

describe('architecture', () => {
  it('knows every room', () => {
    const unknown = [...new Set(files.map(roomOf))].filter((room) => !rank.has(room));
    expect(unknown).toEqual([]);
  });

  it('has no import running up a layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      for (const { target } of importsOf(file)) {
        const to = roomOf(target);
        if (to !== from && rank.get(to)! >= rank.get(from)!) upward.push(`${path.relative(src, file)} -> ${path.relative(src, target)} (${from} -> ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle between files (type-only imports aside)', () => {
    const graph = new Map(
      files.map((f) => [
        f,
        importsOf(f)
          .filter((i) => !i.typeOnly)
          .map((i) => i.target),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push(
            stack
              .slice(stack.indexOf(next))
              .concat(next)
              .map((f) => path.relative(src, f))
              .join(' -> '),
          );
        else if (!state.has(next) && graph.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
