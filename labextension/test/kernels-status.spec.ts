import {
  formatDuration,
  isCancellable,
  isFinished,
  progressPercent,
  progressText,
  statusLabel
} from '../src/kernels/status';

describe('install status', () => {
  it('labels every status', () => {
    expect(statusLabel('Pending')).toBe('Waiting to start');
    expect(statusLabel('InProgress')).toBe('Installing');
    expect(statusLabel('Completed')).toBe('Installed');
    expect(statusLabel('Failed')).toBe('Failed');
    expect(statusLabel('Stopping')).toBe('Cancelling');
    expect(statusLabel('Stopped')).toBe('Cancelled');
    expect(statusLabel('Other')).toBe('Other');
    expect(statusLabel('')).toBe('Unknown');
  });

  it('knows finished and cancellable states', () => {
    expect(['Completed', 'Failed', 'Stopped'].every(isFinished)).toBe(true);
    expect(['Pending', 'InProgress', 'Stopping'].some(isFinished)).toBe(false);
    expect(isCancellable('InProgress')).toBe(true);
    expect(isCancellable('Pending')).toBe(true);
    expect(isCancellable('Stopping')).toBe(false);
    expect(isCancellable('Completed')).toBe(false);
  });

  it('clamps progress', () => {
    expect(progressPercent({ progress: 42.4, status: 'InProgress' })).toBe(42);
    expect(progressPercent({ progress: 140, status: 'InProgress' })).toBe(100);
    expect(progressPercent({ progress: -3, status: 'InProgress' })).toBe(0);
    expect(progressPercent({ progress: NaN, status: 'Pending' })).toBe(0);
    expect(progressPercent({ progress: 80, status: 'Completed' })).toBe(100);
  });

  it('describes progress and outcomes', () => {
    expect(
      progressText({ status: 'InProgress', progress: 30, phase: 'installing IRkernel', message: '' })
    ).toBe('Installing — installing IRkernel (30%)');
    expect(progressText({ status: 'Failed', progress: 30, phase: 'x', message: 'no R' })).toBe(
      'Failed: no R'
    );
    expect(progressText({ status: 'Stopped', progress: 30, phase: '', message: '' })).toBe(
      'Cancelled'
    );
  });

  it('formats durations', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(null)).toBe('');
  });
});
