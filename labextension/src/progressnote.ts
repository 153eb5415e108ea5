/**
 * A notification for work in progress that ends in a notification of its own.
 *
 * JupyterLab drops an update of a toast it has not shown yet (the first toast
 * of a page waits for the toast container to load), which would leave
 * "in progress" on screen for good. Ending the work with a new notification,
 * after dismissing the first, cannot be lost that way.
 */
import { Notification } from '@jupyterlab/apputils';

/** How long a finished notification stays, in ms (`false`: until closed). */
export type AutoClose = number | false;

export class ProgressNotification {
  /** Show `message` as in progress until `finish` is called. */
  constructor(message: string) {
    this._id = Notification.emit(message, 'in-progress', { autoClose: false });
  }

  /** Replace the progress notification by `message`; later calls do nothing. */
  finish(message: string, type: Notification.TypeOptions, autoClose: AutoClose = 5000): void {
    if (this._id === null) {
      return;
    }
    Notification.dismiss(this._id);
    this._id = null;
    Notification.emit(message, type, { autoClose });
  }

  private _id: string | null;
}
