import { displayLine, LogBuffer } from '../src/training/logbuffer';

const reply = (text: string, next: number, complete = false) => ({ text, next_offset: next, complete });

describe('the log buffer', () => {
  it('splits chunks into lines and joins lines split across chunks', () => {
    const log = new LogBuffer();
    expect(log.accept(reply('a\nb', 3), 0)).toEqual({ replaceLast: null, append: ['a', 'b'], dropFirst: 0 });
    expect(log.accept(reply('c\nd\n', 7), 3)).toEqual({ replaceLast: 'bc', append: ['d'], dropFirst: 0 });
    expect(log.accept(reply('e', 8), 7)).toEqual({ replaceLast: null, append: ['e'], dropFirst: 0 });
    expect(log.accept(reply('f', 9), 8)).toEqual({ replaceLast: 'ef', append: [], dropFirst: 0 });
    expect(log.accept(reply('\n\n', 11), 9)).toEqual({ replaceLast: 'ef', append: [''], dropFirst: 0 });
    expect(log.lines).toEqual(['a', 'bc', 'd', 'ef', '']);
    expect(log.offset).toBe(11);
  });

  it('moves the offset to next_offset and ignores stale replies', () => {
    const log = new LogBuffer();
    log.accept(reply('x\n', 2), 0);
    expect(log.accept(reply('x\n', 2), 0)).toBeNull();
    expect(log.lines).toEqual(['x']);
    expect(log.accept(reply('', 2), 2)).toEqual({ replaceLast: null, append: [], dropFirst: 0 });
    expect(log.complete).toBe(false);
    log.accept(reply('', 2, true), 2);
    expect(log.complete).toBe(true);
  });

  it('keeps at most maxLines, dropping the oldest', () => {
    const log = new LogBuffer(3);
    log.accept(reply('1\n2\n', 4), 0);
    expect(log.accept(reply('3\n4\n', 8), 4)).toEqual({ replaceLast: null, append: ['3', '4'], dropFirst: 1 });
    expect(log.lines).toEqual(['2', '3', '4']);
    expect(log.dropped).toBe(1);
  });

  it('never hands the DOM more than maxLines from one huge chunk', () => {
    const log = new LogBuffer(5);
    log.accept(reply('old\n', 4), 0);
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const update = log.accept(reply(text, 4 + text.length), 4);
    expect(update).toEqual({
      replaceLast: null,
      append: ['line 95', 'line 96', 'line 97', 'line 98', 'line 99'],
      dropFirst: 1
    });
    expect(log.lines).toHaveLength(5);
    expect(log.dropped).toBe(96);
  });

  it('does not replace a line it drops', () => {
    const log = new LogBuffer(2);
    log.accept(reply('a', 1), 0);
    const update = log.accept(reply('b\nc\nd', 6), 1);
    expect(update).toEqual({ replaceLast: null, append: ['c', 'd'], dropFirst: 1 });
    expect(log.lines).toEqual(['c', 'd']);
  });

  it('shows progress-bar lines the way a terminal does', () => {
    expect(displayLine('10%\r20%\r30%')).toBe('30%');
    expect(displayLine('done\r\n'.trimEnd())).toBe('done');
    expect(displayLine('windows\r')).toBe('windows');
    const log = new LogBuffer();
    log.append('epoch 1: 10%\r');
    expect(log.append('epoch 1: 50%').replaceLast).toBe('epoch 1: 50%');
  });

  it('starts over after reset', () => {
    const log = new LogBuffer();
    log.accept(reply('a\n', 2), 0);
    log.reset();
    expect(log.offset).toBe(0);
    expect(log.lines).toEqual([]);
  });
});
