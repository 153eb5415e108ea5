import { badgeFor, formatDuration } from '../src/gallery/badge';

describe('badgeFor', () => {
  it('shows a passing run with its duration', () => {
    const badge = badgeFor({
      status: 'passing',
      duration: 3.25,
      validated_at: '2026-11-28T09:00:00+00:00'
    });
    expect(badge.status).toBe('passing');
    expect(badge.label).toBe('Passing');
    expect(badge.tooltip).toMatch(
      /^Ran without errors in 3\.3 s on \d{4}-\d\d-\d\d \d\d:\d\d\.$/
    );
  });

  it('puts the error of a failing run in the tooltip', () => {
    const badge = badgeFor({
      status: 'failing',
      duration: 1,
      error: "NameError: name 'x' is not defined"
    });
    expect(badge).toEqual({
      status: 'failing',
      label: 'Failing',
      tooltip: "NameError: name 'x' is not defined"
    });
  });

  it('has a tooltip for a failing run without an error', () => {
    expect(badgeFor({ status: 'failing', duration: 61 }).tooltip).toBe(
      'Failed in 1 min 1 s.'
    );
  });

  it('maps not-run, skipped and invalid', () => {
    expect(badgeFor({ status: 'not-run' })).toMatchObject({
      status: 'not-run',
      label: 'Not run'
    });
    expect(badgeFor({ status: 'skipped' })).toMatchObject({
      status: 'skipped',
      label: 'Skipped'
    });
    expect(badgeFor({ status: 'invalid', error: 'not JSON' })).toEqual({
      status: 'invalid',
      label: 'Invalid',
      tooltip: 'Not a valid notebook: not JSON'
    });
  });

  it('treats a missing or unknown status as not run', () => {
    expect(badgeFor(undefined).status).toBe('not-run');
    expect(badgeFor({ status: 'exploded' as never }).status).toBe('not-run');
  });
});

describe('formatDuration', () => {
  it('formats seconds and minutes', () => {
    expect(formatDuration(0.42)).toBe('0.4 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(120)).toBe('2 min');
    expect(formatDuration(125.4)).toBe('2 min 5 s');
    expect(formatDuration(Number.NaN)).toBe('');
  });
});
