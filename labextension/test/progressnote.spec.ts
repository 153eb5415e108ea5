/**
 * The progress notification ends in a new notification, never in an update
 * of a toast JupyterLab may not have shown yet.
 */
jest.mock('@jupyterlab/apputils', () => ({
  Notification: { emit: jest.fn(), dismiss: jest.fn(), update: jest.fn() }
}));

import { Notification } from '@jupyterlab/apputils';

import { ProgressNotification } from '../src/progressnote';

const emit = Notification.emit as jest.Mock;
const dismiss = Notification.dismiss as jest.Mock;

beforeEach(() => {
  jest.clearAllMocks();
  emit.mockReset();
  emit.mockReturnValueOnce('progress-id').mockReturnValueOnce('final-id');
});

test('shows the work as in progress until it finishes', () => {
  new ProgressNotification('Uploading a.csv…');
  expect(emit).toHaveBeenCalledWith('Uploading a.csv…', 'in-progress', { autoClose: false });
  expect(dismiss).not.toHaveBeenCalled();
});

test('finishing dismisses the progress and emits the outcome', () => {
  const progress = new ProgressNotification('Uploading a.csv…');
  progress.finish('Uploaded a.csv.', 'success');
  expect(dismiss).toHaveBeenCalledWith('progress-id');
  expect(emit).toHaveBeenLastCalledWith('Uploaded a.csv.', 'success', { autoClose: 5000 });
  expect(Notification.update).not.toHaveBeenCalled();
});

test('an error can stay until closed, and a second finish does nothing', () => {
  const progress = new ProgressNotification('Uploading a.csv…');
  progress.finish('Uploading a.csv failed: access denied.', 'error', false);
  progress.finish('Uploaded a.csv.', 'success');
  expect(dismiss).toHaveBeenCalledTimes(1);
  expect(emit).toHaveBeenCalledTimes(2);
  expect(emit).toHaveBeenLastCalledWith('Uploading a.csv failed: access denied.', 'error', {
    autoClose: false
  });
});
