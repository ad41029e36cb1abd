import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonLinesFile } from './jsonl-file.ts';
import type { RotationEvent } from './jsonl-rotation.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SELF = fileURLToPath(new URL('./jsonl-file.ts', import.meta.url));

describe('JsonLinesFile', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vfioscope-jsonl-'));
    path = join(dir, 'sub', 'log.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one line per record and returns where each starts', () => {
    const f = new JsonLinesFile(path);
    expect(f.append('{"a":1}')).toBe(0);
    expect(f.append('{"b":"é"}')).toBe(8);
    expect(f.size).toBe(8 + 11);
    f.close();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":"é"}\n');
    const g = new JsonLinesFile(path);
    expect(() => g.append('{"a":\n1}')).toThrow(RangeError);
    g.close();
  });

  it('terminates a torn last line at open, reading only the last byte, so the next record is not glued to it', () => {
    writeFileSync(join(dir, 'torn.jsonl'), '{"a":1}\n{"b":');
    const f = new JsonLinesFile(join(dir, 'torn.jsonl'));
    expect(f.bytesRead).toBe(1);
    expect(f.append('{"c":3}')).toBe(14);
    f.close();
    expect(readFileSync(join(dir, 'torn.jsonl'), 'utf8')).toBe('{"a":1}\n{"b":\n{"c":3}\n');

    // a whole file is left as it is
    const g = new JsonLinesFile(join(dir, 'torn.jsonl'));
    g.close();
    expect(readFileSync(join(dir, 'torn.jsonl'), 'utf8')).toBe('{"a":1}\n{"b":\n{"c":3}\n');
  });

  it('throws the write error with its errno code when the disk is full', () => {
    const f = new JsonLinesFile('/dev/full');
    expect(() => f.append('{"a":1}')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(f.size).toBe(0);
    f.close();
  });

  it('cuts a short write that then fails back off the file (RLIMIT_FSIZE in a child process)', async () => {
    // The kernel writes up to the file-size limit (a short write) and fails the rest with
    // EFBIG; node ignores the SIGXFSZ that comes with it. 1 MiB keeps tsx's own cache files
    // under the limit.
    const limit = 1024 * 1024;
    const file = join(dir, 'fsize.jsonl');
    const head = `${'{"fill":"'.padEnd(limit - 200, 'x')}"}\n`;
    writeFileSync(file, head);
    const child = join(dir, 'child.ts');
    writeFileSync(
      child,
      `import { JsonLinesFile } from ${JSON.stringify(SELF)};
const f = new JsonLinesFile(${JSON.stringify(file)});
let code = null;
try { f.append(JSON.stringify({ big: 'y'.repeat(400) })); } catch (err) { code = err.code; }
const sizeAfterFailure = f.size;
let next = 'ok';
try { f.append('{"small":1}'); } catch (err) { next = err.code; }
f.close();
console.log(JSON.stringify({ code, sizeAfterFailure, next }));
`,
    );
    const { stdout } = await promisify(execFile)('prlimit', [`--fsize=${limit}`, '--', TSX, child], { cwd: ROOT });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ code: 'EFBIG', sizeAfterFailure: head.length, next: 'ok' });
    // compare past the 1 MiB head, so a failure prints a readable diff
    const content = readFileSync(file, 'utf8');
    expect(content.slice(head.length - 20)).toBe(`${head.slice(-20)}{"small":1}\n`);
    expect(content.length).toBe(head.length + 12);
  }, 30_000);

  it('rotates to <path>.<n>, newest highest, and deletes the oldest beyond keep', () => {
    const events: RotationEvent[] = [];
    const line = (i: number) => JSON.stringify({ i, pad: 'p'.repeat(10) }); // 26 bytes + '\n' for i < 10
    const f = new JsonLinesFile(path, { maxBytes: 60, keep: 2, onRotate: (e) => events.push(e) });
    for (let i = 1; i <= 9; i++) f.append(line(i));
    f.close();
    // two lines per file: 1-2 → .1, 3-4 → .2, 5-6 → .3, 7-8 → .4, 9 current
    expect(events).toEqual([
      { type: 'rotated', file: path, to: `${path}.1`, bytes: 54 },
      { type: 'rotated', file: path, to: `${path}.2`, bytes: 54 },
      { type: 'rotated', file: path, to: `${path}.3`, bytes: 54 },
      { type: 'deleted', file: `${path}.1` },
      { type: 'rotated', file: path, to: `${path}.4`, bytes: 54 },
      { type: 'deleted', file: `${path}.2` },
    ]);
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual(['log.jsonl', 'log.jsonl.3', 'log.jsonl.4']);
    expect(readFileSync(`${path}.3`, 'utf8')).toBe(`${line(5)}\n${line(6)}\n`);
    expect(readFileSync(`${path}.4`, 'utf8')).toBe(`${line(7)}\n${line(8)}\n`);
    expect(readFileSync(path, 'utf8')).toBe(`${line(9)}\n`);

    // reopened with keep 'all': numbering continues above the highest archive, nothing is deleted
    const g = new JsonLinesFile(path, { maxBytes: 60, keep: 'all' });
    for (let i = 10; i <= 14; i++) g.append(line(i));
    expect(g.archives()).toEqual([3, 4, 5, 6].map((n) => `${path}.${n}`));
    expect(g.generation).toBe(2);
    g.close();
    expect(readFileSync(`${path}.5`, 'utf8')).toBe(`${line(9)}\n${line(10)}\n`);
    expect(readFileSync(`${path}.6`, 'utf8')).toBe(`${line(11)}\n${line(12)}\n`);
  });

  it('prunes at open when keep has shrunk, and writes a line longer than maxBytes into an empty file', () => {
    for (const n of [1, 2, 3, 10]) writeFileSync(`${path.replace('sub/', '')}.${n}`, '{}\n');
    const flat = join(dir, 'log.jsonl');
    writeFileSync(`${flat}.07`, 'not ours\n');
    const events: RotationEvent[] = [];
    const f = new JsonLinesFile(flat, { maxBytes: 8, keep: 1, onRotate: (e) => events.push(e) });
    expect(events.map((e) => e.type === 'deleted' && e.file)).toEqual([`${flat}.1`, `${flat}.2`, `${flat}.3`]);
    expect(f.append('{"long":"longer than eight"}')).toBe(0);
    expect(f.append('{}')).toBe(0);
    f.close();
    expect(existsSync(`${flat}.07`)).toBe(true);
    expect(readFileSync(`${flat}.11`, 'utf8')).toBe('{"long":"longer than eight"}\n');
  });

  it('reads lines forwards and backwards in bounded chunks, and the tail by lines or bytes', () => {
    const f = new JsonLinesFile(path);
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, s: 'ü'.repeat(i % 17) }));
    const offsets = lines.map((l) => f.append(l));

    const before = f.bytesRead;
    const fwd = [...f.linesFrom(0, { chunkBytes: 37 })];
    expect(fwd.map((l) => l.text)).toEqual(lines);
    expect(fwd.map((l) => l.offset)).toEqual(offsets);
    expect(f.bytesRead - before).toBe(f.size);

    const back = [...f.linesBefore(f.size, { chunkBytes: 41 })];
    expect(back.map((l) => l.text)).toEqual([...lines].reverse());
    expect(back.map((l) => l.offset)).toEqual([...offsets].reverse());

    // a byte bound: only lines wholly inside it, and never more bytes read than the bound
    const from100 = offsets[100] ?? -1;
    const mark = f.bytesRead;
    const window = [...f.linesFrom(from100, { maxBytes: 1000, chunkBytes: 64 })];
    expect(f.bytesRead - mark).toBeLessThanOrEqual(1000);
    expect(window[0]?.text).toBe(lines[100]);
    expect(window.at(-1)?.end).toBeLessThanOrEqual(from100 + 1000);
    expect(window.at(-1)?.end).toBeGreaterThan(from100 + 1000 - 60);

    const mark2 = f.bytesRead;
    const upTo200 = [...f.linesBefore(offsets[200] ?? -1, { maxBytes: 1000 })];
    expect(f.bytesRead - mark2).toBeLessThanOrEqual(1000);
    expect(upTo200[0]?.text).toBe(lines[199]);
    expect(upTo200.at(-1)?.offset).toBeGreaterThanOrEqual((offsets[200] ?? 0) - 1000);

    expect(f.readTail({ maxLines: 3 }).map((l) => l.text)).toEqual(lines.slice(-3));
    const tail = f.readTail({ maxBytes: 500 });
    expect(tail.map((l) => l.text)).toEqual(lines.slice(-tail.length));
    expect(tail.length).toBeGreaterThan(5);
    expect(f.size - (tail[0]?.offset ?? 0)).toBeLessThanOrEqual(500);
    f.close();
  });
  it('searches in chunks for lines containing a needle, with their offsets, and returns the last line read', () => {
    const f = new JsonLinesFile(path);
    // 'İ' lowers to two UTF-16 units, which sends a chunk down the line-by-line path
    const lines = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({ i, k: i % 9 === 0 ? 'Alert' : 'info', s: i % 13 === 0 ? 'İstanbul ü' : i % 5 === 0 ? 'über' : 'x'.repeat(i % 11) }),
    );
    const offsets = lines.map((l) => f.append(l));
    const expected = (pred: (l: string) => boolean) => lines.flatMap((l, i) => (pred(l) ? [{ text: l, offset: offsets[i] }] : []));
    const drain = (it: Generator<{ text: string; offset: number; end: number }, { text: string } | undefined>) => {
      const got: { text: string; offset: number }[] = [];
      for (let r = it.next(); ; r = it.next()) {
        if (r.done) return { got, boundary: r.value?.text };
        expect(r.value.end).toBe(r.value.offset + Buffer.byteLength(r.value.text) + 1);
        got.push({ text: r.value.text, offset: r.value.offset });
      }
    };

    const alerts = expected((l) => l.toLowerCase().includes('"alert"'));
    for (const chunkBytes of [29, 500, 65536]) {
      const fwd = drain(f.searchFrom(0, { needles: ['"ALERT"'], ignoreCase: true }, { chunkBytes }));
      expect(fwd.got).toEqual(alerts);
      expect(fwd.boundary).toBe(lines.at(-1));
      const back = drain(f.searchBefore(f.size, { needles: ['"ALERT"'], ignoreCase: true }, { chunkBytes }));
      expect(back.got).toEqual([...alerts].reverse());
      expect(back.boundary).toBe(lines[0]);
    }
    // case-sensitive, two needles, through the chunks where lower-casing changes lengths
    expect(drain(f.searchFrom(0, { needles: ['"Alert"', 'stanbul'] }, { chunkBytes: 300 })).got).toEqual(
      expected((l) => l.includes('"Alert"') || l.includes('stanbul')),
    );
    expect(drain(f.searchFrom(0, { needles: ['i̇stanbul'], ignoreCase: true }, { chunkBytes: 300 })).got).toEqual(
      expected((l) => l.includes('İstanbul')),
    );

    // a bounded window: the boundary is the last complete line inside it
    const from = offsets[50] ?? -1;
    const mark = f.bytesRead;
    const window = drain(f.searchFrom(from, { needles: ['zzzz'] }, { maxBytes: 2000, chunkBytes: 256 }));
    expect(window.got).toEqual([]);
    expect(f.bytesRead - mark).toBeLessThanOrEqual(2000);
    const lastInside = lines.findLastIndex((_, i) => (offsets[i] ?? 0) + Buffer.byteLength(lines[i] ?? '') + 1 <= from + 2000);
    expect(window.boundary).toBe(lines[lastInside]);
    const upTo = offsets[300] ?? -1;
    const backWindow = drain(f.searchBefore(upTo, { needles: ['zzzz'] }, { maxBytes: 2000, chunkBytes: 256 }));
    const firstInside = offsets.findIndex((o) => o >= upTo - 2000);
    expect(backWindow.boundary).toBe(lines[firstInside]);
    f.close();
  });
});

describe('group commit support', () => {
  it('appendLines writes several records in one go, and syncAsync resolves once they are flushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-group-'));
    const f = new JsonLinesFile(join(dir, 'a.jsonl'), { sync: 'group' });
    expect(f.appendLines(['{"a":1}', '{"b":2}'])).toBe(0);
    expect(f.append('{"c":3}')).toBe(16);
    await f.syncAsync();
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(() => f.appendLines(['{"d":4}', 'torn\nline'])).toThrow(RangeError);
    expect(f.size).toBe(24);
    f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rotation flushes and closes the old file: a pending syncAsync on it still resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-group-'));
    const f = new JsonLinesFile(join(dir, 'a.jsonl'), { sync: 'group', maxBytes: 20 });
    f.append('{"n":1}');
    const pending = f.syncAsync();
    f.append('{"n":2}{"pad":0}'); // past maxBytes: rotates, flushing a.jsonl before closing it
    await expect(pending).resolves.toBeUndefined();
    await f.syncAsync();
    expect(readFileSync(join(dir, 'a.jsonl.1'), 'utf8')).toBe('{"n":1}\n');
    f.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
