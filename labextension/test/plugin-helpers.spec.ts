/**
 * What the plugins share (plugins/mainarea.ts) and the confirm-then-act
 * dialogs (training/actions.ts), with JupyterLab's apputils replaced by
 * stand-ins (ES modules).
 */
jest.mock('@jupyterlab/apputils', () => ({
  Clipboard: { copyToSystem: jest.fn() },
  Notification: { success: jest.fn(), error: jest.fn() },
  Dialog: { cancelButton: () => ({ label: 'Cancel' }), warnButton: (options: { label: string }) => options },
  showDialog: jest.fn(),
  MainAreaWidget: class {
    constructor(readonly options: { content: unknown }) {}
    id = '';
    title = { label: '', caption: '', icon: null as unknown, closable: false };
    dispose = jest.fn();
  }
}));
jest.mock('@jupyterlab/ui-components', () => ({
  LabIcon: class {
    constructor(readonly options: { name: string }) {}
  }
}));

import { Clipboard, Notification, showDialog } from '@jupyterlab/apputils';

import { mlstudioIcon } from '../src/icons';
import {
  copyToClipboard,
  deleteAndClose,
  notifyFailure,
  openInMainArea,
  openTracked,
  restoreByName
} from '../src/plugins/mainarea';
import { confirmThen } from '../src/training/actions';

/** A shell that records what it is asked to do. */
function fakeShell(): { add: jest.Mock; activateById: jest.Mock } {
  return { add: jest.fn(), activateById: jest.fn() };
}

/** A tracker over `widgets`. */
function fakeTracker(widgets: { id: string; dispose?: () => void }[] = []): {
  find: (f: (w: { id: string }) => boolean) => unknown;
  add: jest.Mock;
  widgets: typeof widgets;
} {
  return {
    widgets,
    find: f => widgets.find(f),
    add: jest.fn(async (w: { id: string }) => void widgets.push(w))
  };
}

beforeEach(() => jest.clearAllMocks());

describe('openInMainArea', () => {
  it('opens a closable tab with the icon and a close function for its content', () => {
    const shell = fakeShell();
    const content = { kind: 'form' };
    let close: () => void = () => undefined;
    const widget = openInMainArea(shell as never, { id: 'tab-1', label: 'New', caption: 'Create' }, c => {
      close = c;
      return content as never;
    }) as unknown as { id: string; title: { label: string; caption: string; icon: unknown; closable: boolean }; options: { content: unknown }; dispose: jest.Mock };
    expect(widget.id).toBe('tab-1');
    expect(widget.title).toEqual({ label: 'New', caption: 'Create', icon: mlstudioIcon, closable: true });
    expect(widget.options.content).toBe(content);
    expect(shell.add).toHaveBeenCalledWith(widget, 'main');
    expect(shell.activateById).toHaveBeenCalledWith('tab-1');
    close();
    expect(widget.dispose).toHaveBeenCalled();
  });
});

describe('openTracked', () => {
  it('shows the open tab instead of opening another', () => {
    const shell = fakeShell();
    const open = { id: 'view-a' };
    const tracker = fakeTracker([open]);
    const create = jest.fn();
    expect(openTracked(shell as never, tracker as never, { id: 'view-a', label: 'a', caption: '' }, create)).toBe(open);
    expect(create).not.toHaveBeenCalled();
    expect(shell.add).not.toHaveBeenCalled();
    expect(shell.activateById).toHaveBeenCalledWith('view-a');
  });

  it('opens and tracks a new tab', () => {
    const shell = fakeShell();
    const tracker = fakeTracker();
    const widget = openTracked(shell as never, tracker as never, { id: 'view-b', label: 'b', caption: '' }, () => ({}) as never);
    expect(shell.add).toHaveBeenCalledWith(widget, 'main');
    expect(tracker.add).toHaveBeenCalledWith(widget);
  });
});

describe('deleteAndClose', () => {
  it('closes the tab once deleted, not when cancelled, and reports a failure', async () => {
    const view = { id: 'view-c', dispose: jest.fn() };
    const tracker = fakeTracker([view]);
    await deleteAndClose(async () => false, tracker as never, 'view-c', 'c');
    expect(view.dispose).not.toHaveBeenCalled();
    await deleteAndClose(async () => true, tracker as never, 'view-c', 'c');
    expect(view.dispose).toHaveBeenCalledTimes(1);
    await deleteAndClose(
      async () => {
        throw new Error('in use');
      },
      tracker as never,
      'view-c',
      'c'
    );
    expect(Notification.error).toHaveBeenCalledWith('Could not delete c: in use', { autoClose: 8000 });
  });
});

describe('restoreByName', () => {
  it('restores each view by running the command with its name', () => {
    const restore = jest.fn();
    restoreByName({ restore } as never, {} as never, 'mlstudio:open');
    const [, options] = restore.mock.calls[0];
    const widget = { content: { name: 'job-7' } };
    expect(options.command).toBe('mlstudio:open');
    expect(options.args(widget)).toEqual({ name: 'job-7' });
    expect(options.name(widget)).toBe('job-7');
  });
});

describe('notices', () => {
  it('copies and says so', () => {
    copyToClipboard('s3://b/k');
    expect(Clipboard.copyToSystem).toHaveBeenCalledWith('s3://b/k');
    expect(Notification.success).toHaveBeenCalledWith('Copied to the clipboard', { autoClose: 3000 });
    copyToClipboard('s3://b/k', 'Copied s3://b/k', 4000);
    expect(Notification.success).toHaveBeenLastCalledWith('Copied s3://b/k', { autoClose: 4000 });
  });

  it('says what could not be done and why', () => {
    notifyFailure('stop job-1', new Error('gone'));
    expect(Notification.error).toHaveBeenCalledWith('Could not stop job-1: gone', { autoClose: 8000 });
  });
});

describe('confirmThen', () => {
  const dialog = showDialog as jest.Mock;

  it('asks, and acts only when accepted', async () => {
    const action = jest.fn(async () => undefined);
    dialog.mockResolvedValueOnce({ button: { accept: false } });
    expect(await confirmThen('Stop?', 'Stop it?', 'Stop job', action)).toBe(false);
    expect(action).not.toHaveBeenCalled();
    expect(dialog).toHaveBeenCalledWith({ title: 'Stop?', body: 'Stop it?', buttons: [{ label: 'Cancel' }, { label: 'Stop job' }] });
    dialog.mockResolvedValueOnce({ button: { accept: true } });
    expect(await confirmThen('Stop?', 'Stop it?', 'Stop job', action)).toBe(true);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('lets a failed action throw', async () => {
    dialog.mockResolvedValueOnce({ button: { accept: true } });
    await expect(
      confirmThen('Delete?', 'Delete it?', 'Delete', async () => {
        throw new Error('conflict');
      })
    ).rejects.toThrow('conflict');
  });
});
