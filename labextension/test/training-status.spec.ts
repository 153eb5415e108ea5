import { canStop, isActive, isTerminal, STATUSES, statusBadge, statusLabel } from '../src/training/status';

describe('status badges', () => {
  it.each([
    ['InProgress', 'In progress', 'running'],
    ['Completed', 'Completed', 'success'],
    ['Failed', 'Failed', 'error'],
    ['Stopping', 'Stopping', 'warning'],
    ['Stopped', 'Stopped', 'neutral'],
    ['Mystery', 'Mystery', 'neutral']
  ])('%s → %s (%s)', (status, label, tone) => {
    const badge = statusBadge(status);
    expect(badge.label).toBe(label);
    expect(badge.tone).toBe(tone);
    expect(badge.className).toBe(`jp-mlstudio-training-badge jp-mlstudio-training-badge-${tone}`);
  });

  it('knows which statuses run, stop and end', () => {
    expect(STATUSES.filter(isActive)).toEqual(['InProgress', 'Stopping']);
    expect(STATUSES.filter(canStop)).toEqual(['InProgress']);
    expect(STATUSES.filter(isTerminal)).toEqual(['Completed', 'Failed', 'Stopped']);
    expect(statusLabel('InProgress')).toBe('In progress');
  });
});
