import { parseCsv } from '../src/s3/csv';

describe('parseCsv', () => {
  it('reads rows and fields with quotes, escaped quotes and CRLF', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,,"multi\nline"\r\n';
    expect(parseCsv(text, 10)).toEqual({
      rows: [
        ['a', 'b', 'c'],
        ['1', 'x, y', 'say "hi"'],
        ['2', '', 'multi\nline']
      ],
      more: false
    });
  });

  it('keeps a last row without a line break', () => {
    expect(parseCsv('a,b\n1,2', 10).rows).toEqual([
      ['a', 'b'],
      ['1', '2']
    ]);
  });

  it('stops after maxRows and says there is more', () => {
    const text = Array.from({ length: 50 }, (_, i) => `${i},x`).join('\n');
    const { rows, more } = parseCsv(text, 5);
    expect(rows).toHaveLength(5);
    expect(rows[4]).toEqual(['4', 'x']);
    expect(more).toBe(true);
  });

  it('drops the cut last row of a partial file', () => {
    expect(parseCsv('a,b\n1,2\n3,', 10, ',', true)).toEqual({
      rows: [
        ['a', 'b'],
        ['1', '2']
      ],
      more: true
    });
  });

  it('reads tab-separated values', () => {
    expect(parseCsv('a\tb\n1\t2\n', 10, '\t').rows).toEqual([
      ['a', 'b'],
      ['1', '2']
    ]);
  });

  it('gives no rows for an empty file', () => {
    expect(parseCsv('', 10)).toEqual({ rows: [], more: false });
  });
});
