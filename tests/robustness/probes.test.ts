/**
 * Regression tests for what a clumsy or hostile user found: ragged CSVs misread by `tfx-ts stats`,
 * pipes that hang, outputs left half-written on a full disk, raw errno messages for -o, schemas
 * nested past the stack, store messages that advise deleting a busy store, read-only lineage,
 * and the Resolver's leftover directories.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InteractiveContext, LatestBlessedModelStrategy, Resolver } from '../../src/index';
import { MetadataStore } from '../../src/metadata/store';
import { parseSchema } from '../../src/schema/io';
import { writeDirectoryAtomic, writeFileAtomic } from '../../src/util/atomic';
import { runCli } from '../../src/testing/cli';
import { repoRoot, tempDir, writeFile } from '../../src/testing/fixtures';
import { WriteExamples } from '../../src/testing/test-components';

jest.setTimeout(60_000);

/** A tmpfs of `kb` KiB (root only; undefined where mounting is not allowed). */
function tinyFs(kb: number): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const dir = tempDir('tfx-ts-tinyfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch {
    return undefined;
  }
}
const unmount = (dir?: string) => {
  if (dir)
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      /* already */
    }
};

describe('CSV input of tfx-ts stats: the same clear errors as CsvExampleGen', () => {
  const dir = tempDir('tfx-ts-robust-csv-');

  it('refuses a ragged CSV, naming the line (it was read as one text column "a,b,c")', async () => {
    const file = writeFile(dir, 'r.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    const r = await runCli('stats', file, '-o', path.join(dir, 'r.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Cannot read CSV .*r\.csv: line 3 has 2 fields but the header has 3\.\n {2}Fix: every row needs as many fields as the header/);
    expect(fs.existsSync(path.join(dir, 'r.json'))).toBe(false);
  });

  it('names a bad row 5,000 lines down, without DuckDB\'s "Error when sniffing file"', async () => {
    const lines = ['a,b,c'];
    for (let i = 2; i <= 8000; i++) lines.push(i === 5000 ? '1,2' : `${i},${i * 2},x${i}`);
    const file = writeFile(dir, 'deep.csv', `${lines.join('\n')}\n`);
    const r = await runCli('stats', file, '-o', path.join(dir, 'deep.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 5000 has 2 fields but the header has 3/);
    expect(r.err).not.toMatch(/sniffing/i);
  });

  it('counts quoted delimiters and line breaks inside quotes as RFC 4180 does (still one record)', async () => {
    const file = writeFile(dir, 'quoted.csv', 'a,b\n"x,1","multi\nline"\n"y ""q""",2\n');
    const r = await runCli('stats', file, '-o', path.join(dir, 'q.json'));
    expect(r.out).toContain('quoted.csv: 2 examples, 2 features');
  });

  it('refuses a FIFO at once, even with a writer, instead of hanging', async () => {
    const fifo = path.join(dir, 'f.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'a,b\\n1,2\\n' > '${fifo}'`], { stdio: 'ignore' });
    try {
      const started = Date.now();
      const r = await runCli('stats', fifo, '-o', path.join(dir, 'f.json'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/f\.csv is a named pipe \(FIFO\), not a regular file\.\n {2}Fix: save the data to a regular file first/);
      expect(Date.now() - started).toBeLessThan(5000);
      const eg = await runCli('stats', path.join(dir), '-o', path.join(dir, 'd.json'));
      expect(eg.code).toBe(2); // the directory holds the FIFO and other CSVs; it must not hang either
    } finally {
      writer.kill();
    }
  });
});

describe('atomic outputs: a full disk keeps the previous good file', () => {
  const fsDir = tinyFs(256);
  afterAll(() => unmount(fsDir));
  const work = tempDir('tfx-ts-robust-atomic-');

  (fsDir ? it : it.skip)('writeFileAtomic leaves the previous file when the disk fills mid-write', () => {
    const file = path.join(fsDir!, 'out.json');
    writeFileAtomic(file, '{"good": true}\n');
    expect(() => writeFileAtomic(file, 'x'.repeat(512 * 1024))).toThrow(
      /Cannot write .*out\.json: no space left on the device\. Any previous out\.json was left unchanged\.\n {2}Fix: free some disk space/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"good": true}\n');
    expect(fs.readdirSync(fsDir!)).toEqual(['out.json']);
    fs.rmSync(file);
  });

  (fsDir ? it : it.skip)('stats, schema infer, validate and report on a full tmpfs: previous outputs intact, one clear error', async () => {
    const data = (cols: number, rows: number) => {
      const header = Array.from({ length: cols }, (_, i) => `c${i}`).join(',');
      const body = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => (r * 7 + c) % 13).join(','));
      return `${header}\n${body.join('\n')}\n`;
    };
    const small = writeFile(work, 'small.csv', data(2, 20));
    const wide = writeFile(work, 'wide.csv', data(120, 30));
    const out = (name: string) => path.join(fsDir!, name);
    expect((await runCli('stats', small, '-o', out('stats.json'))).code).toBe(0);
    expect((await runCli('schema', 'infer', out('stats.json'), '-o', out('schema.pbtxt'))).code).toBe(0);
    expect((await runCli('validate', out('stats.json'), '--schema', out('schema.pbtxt'), '-o', out('anomalies.json'))).code).toBe(0);
    expect((await runCli('report', '--statistics', out('stats.json'), '-o', out('report.html'))).code).toBe(0);
    const before = Object.fromEntries(['stats.json', 'schema.pbtxt', 'anomalies.json', 'report.html'].map((f) => [f, fs.readFileSync(out(f))]));
    // Fill the file system so that only a few KB remain.
    const filler = out('filler');
    try {
      fs.writeFileSync(filler, Buffer.alloc(1 << 20));
    } catch {
      /* ENOSPC: full, as wanted */
    }
    const r = await runCli('stats', wide, '-o', out('stats.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Cannot write .*stats\.json: no space left on the device\. Any previous stats\.json was left unchanged\./);
    const wideStats = path.join(work, 'wide.json');
    expect((await runCli('stats', wide, '-o', wideStats)).code).toBe(0);
    expect((await runCli('schema', 'infer', wideStats, '-o', out('schema.pbtxt'))).err).toMatch(/no space left/);
    expect((await runCli('validate', wideStats, '--schema', path.join(work, 'none.pbtxt'), '-o', out('anomalies.json'))).code).toBe(2);
    expect((await runCli('report', '--statistics', wideStats, '-o', out('report.html'))).err).toMatch(/no space left/);
    for (const [name, bytes] of Object.entries(before)) expect(fs.readFileSync(out(name)).equals(bytes)).toBe(true);
    expect(fs.readdirSync(fsDir!).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  (fsDir ? it : it.skip)('template copy on a full disk leaves no half project', async () => {
    const small = tinyFs(16);
    try {
      const r = await runCli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'p', '--destination-path', path.join(small!, 'proj'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no space left on the device/);
      expect(fs.readdirSync(small!)).toEqual([]);
    } finally {
      unmount(small);
    }
  });

  it('writeDirectoryAtomic publishes all or nothing', () => {
    const target = path.join(work, 'tree');
    expect(() =>
      writeDirectoryAtomic(target, (tmp) => {
        fs.writeFileSync(path.join(tmp, 'a'), '1');
        throw new Error('boom');
      }),
    ).toThrow(/boom/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.tree'))).toEqual([]);
  });
});

describe('-o failures are explained', () => {
  const dir = tempDir('tfx-ts-robust-o-');
  const csv = writeFile(dir, 'd.csv', 'a,b\n1,2\n3,4\n');

  it('EISDIR: -o points at a directory', async () => {
    const r = await runCli('stats', csv, '-o', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Cannot write .*: it is a directory\.\n {2}Fix: pass a file path/);
  });

  it('ENOTDIR / EACCES: a path through a file, an unwritable directory', async () => {
    const r = await runCli('stats', csv, '-o', path.join(csv, 'stats.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Cannot write .*stats\.json: a part of its path is a file, not a directory/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(locked, { mode: 0o555 });
      const denied = await runCli('stats', csv, '-o', path.join(locked, 's.json'));
      expect(denied.err).toMatch(/Cannot write .*s\.json: permission denied\.\n {2}Fix: write somewhere you may write/);
    }
  });
});

describe('deep struct_domain schemas', () => {
  const nestedText = (depth: number) => {
    let text = 'feature { name: "leaf" type: INT }';
    for (let i = 0; i < depth; i++) text = `feature {\n  name: "s${i}"\n  type: STRUCT\n  struct_domain {\n${text}\n}\n}`;
    return text;
  };
  // Built as text: JSON.stringify itself recurses too deep for 5,000 levels.
  const nestedJson = (depth: number) => {
    const open = Array.from({ length: depth }, (_, i) => `{"name": "s${depth - 1 - i}", "type": "STRUCT", "structDomain": {"feature": [`).join('');
    return `{"feature": [${open}{"name": "leaf", "type": "INT"}${']}}'.repeat(depth)}]}`;
  };

  it('parses legal nesting (40 levels) in both formats', () => {
    expect(parseSchema(nestedText(40), 'ok.pbtxt').feature[0].name).toBe('s39');
    expect(parseSchema(nestedJson(40), 'ok.json').feature[0].name).toBe('s39');
  });

  it('refuses 5,000 levels with a position and protobuf\'s limit, not "Maximum call stack size exceeded"', () => {
    expect(() => parseSchema(nestedText(5000), 'deep.pbtxt')).toThrow(/^deep\.pbtxt:\d+:\d+: messages are nested more than 100 levels deep here/);
    expect(() => parseSchema(nestedJson(5000), 'deep.json')).toThrow(/^deep\.json is nested too deeply at feature\[0\]\.structDomain\.feature\[0\]/);
  });
});

describe('metadata store messages', () => {
  it('a locked store: in use by another process (with its PID), wait or stop it; never "remove"', async () => {
    const dir = tempDir('tfx-ts-robust-lock-');
    const file = path.join(dir, 'metadata.sqlite');
    new MetadataStore(file).close();
    // Another process registers a RUNNING execution, then holds the write lock.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `
      const Database = require(${JSON.stringify(path.join(repoRoot, 'node_modules', 'better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.prepare("INSERT INTO execution_types (name) VALUES ('Trainer') ON CONFLICT DO NOTHING").run();
      db.prepare("INSERT INTO executions (type_id, component_id, state, properties, pid, host, create_time, update_time) VALUES ((SELECT id FROM execution_types WHERE name='Trainer'), 'Trainer', 'RUNNING', '{}', ?, ?, 0, 0)").run(process.pid, require('os').hostname());
      db.exec('BEGIN EXCLUSIVE');
      console.log('locked');
      setInterval(() => {}, 1000);
    `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', () => resolve()));
      let message = '';
      try {
        new MetadataStore(file, { busyTimeoutMs: 300 });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(
        new RegExp(`Metadata store .*metadata\\.sqlite is in use by another process \\(pid ${holder.pid}, running Trainer as execution \\d+\\)`),
      );
      expect(message).toMatch(/Fix: wait for that process to finish \(or stop it/);
      expect(message).not.toMatch(/remove/i);
      expect(message).toMatch(/Do not delete the store/);
    } finally {
      holder.kill();
    }
  });

  it('a corrupted store: names the file and what to do', () => {
    const dir = tempDir('tfx-ts-robust-corrupt-');
    const file = path.join(dir, 'metadata.sqlite');
    const store = new MetadataStore(file);
    for (let i = 0; i < 50; i++) store.context('run', `run-${i}-${'x'.repeat(200)}`);
    store.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 4096, Math.min(bytes.length, 4096 * 3)); // trash the pages after the header
    fs.writeFileSync(file, bytes);
    expect(() => new MetadataStore(file)).toThrow(
      /Metadata store .*metadata\.sqlite is damaged or not a tfx-ts metadata store \(SQLite: .*malformed.*\)\.\n {2}Fix: restore metadata\.sqlite from a backup .* move it aside \(mv /s,
    );
  });

  it('tfx-ts lineage opens the store read-only (works on a read-only file system)', async () => {
    const dir = tempDir('tfx-ts-robust-ro-');
    const ctx = new InteractiveContext({ pipelineName: 'ro', pipelineRoot: path.join(dir, 'root') });
    const write = new WriteExamples({ text: 'hello' });
    await ctx.run(write);
    const store = path.join(dir, 'root', 'metadata.sqlite');
    const checkpoint = new MetadataStore(store);
    const executionId = checkpoint.executions()[0].id;
    const artifactId = checkpoint.artifacts()[0].id;
    checkpoint.close();
    const readOnly = path.join(dir, 'ro');
    fs.mkdirSync(readOnly);
    let mounted = false;
    if (process.getuid?.() === 0) {
      try {
        execFileSync('mount', ['--bind', path.join(dir, 'root'), readOnly], { stdio: 'pipe' });
        execFileSync('mount', ['-o', 'remount,ro,bind', readOnly], { stdio: 'pipe' });
        mounted = true;
      } catch {
        /* not allowed here */
      }
    }
    if (!mounted) {
      fs.rmdirSync(readOnly);
      fs.cpSync(path.join(dir, 'root'), readOnly, { recursive: true });
      fs.chmodSync(path.join(readOnly, 'metadata.sqlite'), 0o444);
      fs.chmodSync(readOnly, 0o555);
    }
    try {
      const before = fs.readFileSync(path.join(readOnly, 'metadata.sqlite'));
      const inputsOnly = new MetadataStore(path.join(readOnly, 'metadata.sqlite'), { readonly: true });
      expect(inputsOnly.getExecution(executionId).componentId).toBe('TestWriteExamples');
      inputsOnly.close();
      const r = await runCli('lineage', String(artifactId), '--metadata', path.join(readOnly, 'metadata.sqlite'));
      expect(r.err).not.toMatch(/readonly database/);
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toMatch(new RegExp(`execution ${executionId} TestWriteExamples`));
      expect(fs.readFileSync(path.join(readOnly, 'metadata.sqlite')).equals(before)).toBe(true);
    } finally {
      if (mounted) execFileSync('umount', ['-l', readOnly]);
      else fs.chmodSync(readOnly, 0o755);
    }
  });
});

describe('Resolver', () => {
  it('leaves no empty, unregistered output directories behind', async () => {
    const dir = tempDir('tfx-ts-robust-resolver-');
    const ctx = new InteractiveContext({ pipelineName: 'res', pipelineRoot: dir });
    for (let i = 0; i < 3; i++) await ctx.run(new Resolver({ strategyClass: LatestBlessedModelStrategy }), { enableCache: false });
    const leftovers: string[] = [];
    const walk = (d: string) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name);
        if (entry.isDirectory()) {
          if (fs.readdirSync(full).length === 0) leftovers.push(path.relative(dir, full));
          walk(full);
        }
      }
    };
    walk(dir);
    expect(leftovers).toEqual([]);
  });
});
