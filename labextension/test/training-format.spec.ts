import { formatCreated, formatDuration, jobTime, parseRuntime, runtimeText } from '../src/training/format';

describe('durations', () => {
  it.each([
    [0, '0s'],
    [42.9, '42s'],
    [185, '3m 05s'],
    [3600 + 4 * 60 + 9, '1h 04m'],
    [3 * 86400 + 4 * 3600, '3d 4h'],
    [-1, '—'],
    [NaN, '—']
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('shows sub-second durations in ms when asked', () => {
    expect(formatDuration(0.25, true)).toBe('250 ms');
    expect(formatDuration(2.5, true)).toBe('2s');
  });
});

describe('job times', () => {
  const now = Date.parse('2024-05-01T12:10:00Z');

  it('counts start to end for an ended job', () => {
    expect(
      jobTime(
        { CreationTime: '2024-05-01T11:59:00Z', TrainingStartTime: '2024-05-01T12:00:00Z', TrainingEndTime: '2024-05-01T12:02:30Z' },
        now
      )
    ).toEqual({ text: '2m 30s', running: false, seconds: 150 });
  });

  it('counts start to now while running, creation to now while queued', () => {
    expect(jobTime({ CreationTime: '2024-05-01T12:00:00Z', TrainingStartTime: '2024-05-01T12:09:00Z' }, now)).toEqual({
      text: '1m 00s',
      running: true,
      seconds: 60
    });
    expect(jobTime({ CreationTime: '2024-05-01T12:09:50Z', TrainingStartTime: null }, now).text).toBe('10s');
    expect(jobTime({}, now)).toEqual({ text: '—', running: true, seconds: null });
  });
});

describe('creation times', () => {
  it('shows only the time today and the date otherwise', () => {
    const now = new Date(2024, 4, 1, 15, 0).getTime();
    const today = formatCreated(new Date(2024, 4, 1, 9, 5).toISOString(), now);
    const earlier = formatCreated(new Date(2024, 3, 28, 9, 5).toISOString(), now);
    const lastYear = formatCreated(new Date(2023, 3, 28, 9, 5).toISOString(), now);
    expect(today).toMatch(/09.05/);
    expect(today.length).toBeLessThan(earlier.length);
    expect(lastYear).toMatch(/2023/);
    expect(formatCreated(null, now)).toBe('');
  });
});

describe('runtime limits', () => {
  it.each([
    ['3600', 3600],
    [' 90m ', 5400],
    ['90min', 5400],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1d', 86400],
    ['45s', 45],
    ['0', null],
    ['', null],
    ['soon', null],
    ['1.5h', null]
  ])('%p → %p', (text, seconds) => {
    expect(parseRuntime(text)).toBe(seconds);
  });

  it('writes limits back in the shortest unit', () => {
    expect(runtimeText(3600)).toBe('1h');
    expect(runtimeText(5400)).toBe('90m');
    expect(runtimeText(86400 * 2)).toBe('2d');
    expect(runtimeText(61)).toBe('61');
    for (const s of [61, 5400, 7200, 86400]) {
      expect(parseRuntime(runtimeText(s))).toBe(s);
    }
  });
});
