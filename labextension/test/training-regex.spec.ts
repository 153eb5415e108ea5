import { checkMetricRegex, groupCount, matchMetric, pythonToJS } from '../src/training/regex';

describe('metric regexes', () => {
  it('accepts a regex with a capture group and reads the value', () => {
    const check = checkMetricRegex('loss=([0-9.]+)');
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.groups).toBe(1);
      expect(matchMetric(check.regex, 'step 3 loss=0.25 acc=0.9')).toBe(0.25);
      expect(matchMetric(check.regex, 'nothing here')).toBeNull();
    }
  });

  it('needs a group, and says why a regex does not compile', () => {
    expect(checkMetricRegex('loss=[0-9.]+')).toEqual({ ok: false, error: expect.stringMatching(/group/) });
    expect(checkMetricRegex('(?:loss)=[0-9]+')).toMatchObject({ ok: false });
    const broken = checkMetricRegex('loss=([0-9.]+');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^Invalid regex/);
    expect(checkMetricRegex('  ')).toMatchObject({ ok: false });
  });

  it('understands Python-only syntax', () => {
    expect(pythonToJS('(?i)Loss=(?P<v>[0-9.]+)')).toEqual({ source: 'Loss=(?<v>[0-9.]+)', flags: 'i' });
    expect(pythonToJS('(?P<a>x)(?P=a)\\Z').source).toBe('(?<a>x)\\k<a>$');
    const check = checkMetricRegex('(?i)LOSS: (?P<value>\\d+\\.\\d+)');
    expect(check.ok && matchMetric(check.regex, 'loss: 1.50')).toBe(1.5);
  });

  it('counts groups', () => {
    expect(groupCount(/a(b)(c(d))/)).toBe(3);
    expect(groupCount(/a/g)).toBe(0);
  });
});
