/**
 * The kernels plugin: the sidebar's "Kernels" section and the "Install
 * kernel" view (form, progress, live log).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';

import { KernelsClient } from '../kernels/client';
import { InstallView } from '../kernels/installview';
import { KernelsSection } from '../kernels/section';
import type { IInstall, IKernelKind } from '../kernels/types';
import { IMLStudio } from '../tokens';

/** Rank of the "Kernels" section in the ML Studio sidebar. */
const SECTION_RANK = 40;

/** Command ids of the kernels feature. */
export namespace KernelsCommandIDs {
  /** Show the "Kernels" section of the ML Studio sidebar. */
  export const showKernels = 'mlstudio:show-kernels';
}

/** Provides the kernels section. */
export const kernelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:kernels',
  description: 'Kernels: list kernelspecs, install R, Scala and Python environment kernels, uninstall.',
  autoStart: true,
  requires: [IMLStudio],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, studio: IMLStudio, palette: ICommandPalette | null): void => {
    const client = new KernelsClient();
    const views = new Map<string, MainAreaWidget<InstallView>>();

    const refreshLauncher = (): void => {
      void app.serviceManager.kernelspecs.refreshSpecs().catch(() => undefined);
    };

    const open = (kind: IKernelKind, running?: IInstall): void => {
      const key = running ? `install-${running.id}` : `kind-${kind.kind}`;
      let widget = views.get(key);
      if (!widget || widget.isDisposed) {
        const content = new InstallView(kind, client, refreshLauncher, running);
        widget = new MainAreaWidget({ content });
        widget.id = `jp-mlstudio-kernel-install-${key}`;
        widget.title.label = `Install kernel: ${kind.label || kind.kind}`;
        widget.title.caption = `Install a ${kind.label || kind.kind} kernel`;
        widget.title.closable = true;
        views.set(key, widget);
        widget.disposed.connect(() => views.delete(key));
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
    };

    const section = new KernelsSection({
      client,
      openInstall: kind => open(kind),
      openRunning: (install, kind) =>
        open(
          kind ?? {
            kind: install.kind,
            label: install.kind,
            language: '',
            description: '',
            available: true,
            message: '',
            default_name: install.name,
            default_display_name: install.display_name,
            options: [],
            busy: true
          },
          install
        ),
      uninstalled: refreshLauncher
    });
    studio.addSection(section, { rank: SECTION_RANK });

    app.commands.addCommand(KernelsCommandIDs.showKernels, {
      label: 'Kernels: Install or Uninstall…',
      caption: 'Show the installed kernels and install R, Scala or Python environment kernels',
      execute: async () => {
        await app.commands.execute('mlstudio:open-sidebar').catch(() => undefined);
        section.node.scrollIntoView({ block: 'nearest' });
        await section.refresh();
      }
    });
    palette?.addItem({ command: KernelsCommandIDs.showKernels, category: 'ML Studio' });
  }
};
