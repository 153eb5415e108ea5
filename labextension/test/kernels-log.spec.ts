import { LogCursor, TRUNCATED_MARK } from '../src/kernels/log';
import type { ILogChunk } from '../src/kernels/types';

function chunk(patch: Partial<ILogChunk>): ILogChunk {
  return {
    text: '',
    next_offset: 0,
    truncated: false,
    status: 'InProgress',
    finished: false,
    ...patch
  };
}

describe('LogCursor', () => {
  it('asks from the offset the last reply gave', () => {
    const cursor = new LogCursor('abc123');
    expect(cursor.path(10)).toBe('kernels/installs/abc123/log?offset=0&wait=10');
    expect(cursor.add(chunk({ text: 'one\n', next_offset: 4 }))).toBe('one\n');
    expect(cursor.path(10)).toBe('kernels/installs/abc123/log?offset=4&wait=10');
    expect(cursor.add(chunk({ text: 'two\n', next_offset: 8 }))).toBe('two\n');
    expect(cursor.text).toBe('one\ntwo\n');
    expect(cursor.offset).toBe(8);
    expect(cursor.finished).toBe(false);
  });

  it('clamps the wait to the server limit', () => {
    const cursor = new LogCursor('a');
    expect(cursor.path(99)).toMatch(/wait=30$/);
    expect(cursor.path(-1)).toMatch(/wait=0$/);
  });

  it('keeps the offset on an empty reply and notes the end', () => {
    const cursor = new LogCursor('a');
    cursor.add(chunk({ text: 'x', next_offset: 1 }));
    expect(cursor.add(chunk({ text: '', next_offset: 1, finished: true, status: 'Completed' }))).toBe(
      ''
    );
    expect(cursor.offset).toBe(1);
    expect(cursor.finished).toBe(true);
  });

  it('marks text the server dropped', () => {
    const cursor = new LogCursor('a');
    cursor.add(chunk({ text: 'start\n', next_offset: 6 }));
    const piece = cursor.add(chunk({ text: 'tail\n', next_offset: 5000, truncated: true }));
    expect(piece).toBe(`${TRUNCATED_MARK}tail\n`);
    expect(cursor.offset).toBe(5000);
  });

  it('bounds its buffer and asks for a redraw', () => {
    const cursor = new LogCursor('a', 20);
    expect(cursor.add(chunk({ text: 'line1\nline2\n', next_offset: 12 }))).toBe('line1\nline2\n');
    expect(cursor.add(chunk({ text: 'line3\nline4\n', next_offset: 24 }))).toBeNull();
    expect(cursor.text.startsWith(TRUNCATED_MARK)).toBe(true);
    expect(cursor.text.endsWith('line4\n')).toBe(true);
    expect(cursor.text).not.toContain('line1');
  });

  it('escapes the install id', () => {
    expect(new LogCursor('a/b').path(0)).toContain('installs/a%2Fb/log');
  });
});
