import { formatDate, formatDateTime, formatProgress, formatSize, plural } from '../src/s3/format';

describe('formatSize', () => {
  it('uses binary units with one decimal below 10', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(123456)).toBe('121 KiB');
    expect(formatSize(60_000_000)).toBe('57 MiB');
    expect(formatSize(5 * 1024 ** 4)).toBe('5.0 TiB');
  });

  it('never shows "1024 KiB"', () => {
    expect(formatSize(1024 * 1024 - 1)).toBe('1.0 MiB');
  });

  it('is empty for folders and bad values', () => {
    expect(formatSize(null)).toBe('');
    expect(formatSize(undefined)).toBe('');
    expect(formatSize(-1)).toBe('');
    expect(formatSize(NaN)).toBe('');
  });
});

describe('dates', () => {
  const now = new Date(2026, 10, 28, 15, 0, 0);

  it('shows the time for today and the date otherwise', () => {
    expect(formatDate(new Date(2026, 10, 28, 9, 5).toISOString(), now)).toBe('09:05');
    expect(formatDate(new Date(2026, 10, 27, 23, 59).toISOString(), now)).toBe('2026-11-27');
    expect(formatDate(new Date(2024, 0, 2, 3, 4).toISOString(), now)).toBe('2024-01-02');
  });

  it('is empty for missing or unreadable dates', () => {
    expect(formatDate(null, now)).toBe('');
    expect(formatDate('yesterday', now)).toBe('');
    expect(formatDateTime(undefined)).toBe('');
  });

  it('gives the full local time for tooltips', () => {
    expect(formatDateTime(new Date(2024, 0, 2, 3, 4, 5).toISOString())).toBe('2024-01-02 03:04:05');
  });
});

describe('counts and progress', () => {
  it('pluralises with thousands separators', () => {
    expect(plural(1, 'item')).toBe('1 item');
    expect(plural(100000, 'item')).toBe('100,000 items');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('reports upload progress', () => {
    expect(formatProgress(512, 1024)).toBe('512 B of 1.0 KiB (50%)');
    expect(formatProgress(10, 0)).toBe('10 B');
    expect(formatProgress(2048, 1024)).toBe('2.0 KiB of 1.0 KiB (100%)');
  });
});
