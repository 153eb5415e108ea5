/**
 * The kernel installers' REST client (`mlstudio/api/kernels…`).
 */
import type { ServerConnection } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';

import { requestAPI } from '../api';
import { LogCursor } from './log';
import type {
  IInstall,
  IInstallRequest,
  IKernelSpec,
  IKernelsReply,
  ILogChunk
} from './types';

/** Talks to the kernels API; shared by the section and the install views. */
export class KernelsClient {
  constructor(private readonly settings?: ServerConnection.ISettings) {}

  /** Emitted after a kernel was installed or uninstalled through this client. */
  get changed(): ISignal<KernelsClient, void> {
    return this._changed;
  }

  /** Tell listeners the kernelspecs changed. */
  notifyChanged(): void {
    this._changed.emit();
  }

  list(): Promise<IKernelsReply> {
    return requestAPI<IKernelsReply>('kernels', {}, this.settings);
  }

  async uninstall(name: string): Promise<IKernelSpec> {
    const reply = await requestAPI<IKernelSpec>(
      `kernels/${encodeURIComponent(name)}`,
      { method: 'DELETE' },
      this.settings
    );
    this._changed.emit();
    return reply;
  }

  startInstall(request: IInstallRequest): Promise<IInstall> {
    return requestAPI<IInstall>(
      'kernels/installs',
      { method: 'POST', body: JSON.stringify(request) },
      this.settings
    );
  }

  install(id: string): Promise<IInstall> {
    return requestAPI<IInstall>(
      `kernels/installs/${encodeURIComponent(id)}`,
      {},
      this.settings
    );
  }

  /** The next piece of the log after `cursor`, waiting up to `wait` seconds. */
  readLog(cursor: LogCursor, wait: number): Promise<ILogChunk> {
    return requestAPI<ILogChunk>(cursor.path(wait), {}, this.settings);
  }

  cancel(id: string): Promise<IInstall> {
    return requestAPI<IInstall>(
      `kernels/installs/${encodeURIComponent(id)}/cancel`,
      { method: 'POST', body: '{}' },
      this.settings
    );
  }

  private readonly _changed = new Signal<KernelsClient, void>(this);
}
