/**
 * The Training plugin: the sidebar's "Training" section, the create form,
 * job views, "Train This Script" in the file browser, and their commands.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, type MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { addIcon, runIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { SIDEBAR_ID } from '../sidebar/panel';
import { IMLStudio } from '../tokens';
import { confirmDelete, confirmStop } from '../training/actions';
import { TrainingClient } from '../training/client';
import { defaultFormState, splitScriptPath, stateFromJob, type ITrainingFormState } from '../training/form';
import { TrainingForm, type IKernelChoice } from '../training/formview';
import { JobView, jobViewId } from '../training/jobview';
import { TrainingSection } from '../training/section';
import { canStop, isTerminal } from '../training/status';
import { copyToClipboard, deleteAndClose, notifyFailure, openInMainArea, openTracked, restoreByName } from './mainarea';

/** Command ids of the Training panel. */
export namespace TrainingCommandIDs {
  /** Open the create form; optional args `program`, `source_dir`. */
  export const newJob = 'mlstudio:training-new';
  /** Open the create form for a `.py` file; args `path`, else the file browser's selection. */
  export const trainScript = 'mlstudio:train-script';
  /** Open a job's view; arg `name`. */
  export const openJob = 'mlstudio:training-open';
  /** Open the create form prefilled from a job; arg `name`. */
  export const cloneJob = 'mlstudio:training-clone';
  /** Stop a running job (asks first); arg `name`. */
  export const stopJob = 'mlstudio:training-stop';
  /** Delete an ended job (asks first); arg `name`. */
  export const deleteJob = 'mlstudio:training-delete';
}

/** The S3 browser's command that shows an `s3://` URI (arg `uri`). */
const S3_OPEN_COMMAND = 'mlstudio:s3-open';

/** The Endpoints panel's "New endpoint" command (arg `trainingJob` preselects the model). */
const DEPLOY_COMMAND = 'mlstudio:endpoints-new';

/** Rank of the section in the sidebar (Overview 0, S3 10, Examples 20). */
const SECTION_RANK = 30;

/** Python files in the file browser. */
const PYTHON_FILE_SELECTOR = '.jp-DirListing-item[data-file-type="python"]';

/** Job rows of the section. */
const JOB_ROW_SELECTOR = '.jp-mlstudio-training-job';

const CATEGORY = 'ML Studio';

/** Provides the Training panel. */
export const trainingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:training',
  description: 'Training jobs: list, create, follow (log, status, metric charts), stop and clone.',
  autoStart: true,
  requires: [IMLStudio],
  optional: [IFileBrowserFactory, IDocumentManager, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    studio: IMLStudio,
    browsers: IFileBrowserFactory | null,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const { commands, shell } = app;
    const client = new TrainingClient();
    const views = new WidgetTracker<MainAreaWidget<JobView>>({ namespace: 'mlstudio-training-job' });
    let formCount = 0;

    /** The job name of a command: `args.name`, else the right-clicked row. */
    const nameOf = (args: ReadonlyPartialJSONObject): string | null =>
      typeof args.name === 'string' && args.name ? args.name : section.contextName;

    const copy = (text: string): void => copyToClipboard(text, `Copied ${text}`, 4000);

    /**
     * Whether the S3 browser's open command takes a `uri` argument (it says
     * so in its `describedBy` args schema); without one it would act on the
     * S3 browser's own selection instead.
     */
    const canOpenS3 = async (): Promise<boolean> => {
      if (!commands.hasCommand(S3_OPEN_COMMAND)) {
        return false;
      }
      try {
        const described = await commands.describedBy(S3_OPEN_COMMAND);
        const properties = (described.args as { properties?: Record<string, unknown> } | undefined)?.properties;
        return !!properties && 'uri' in properties;
      } catch {
        return false;
      }
    };

    const openS3 = async (uri: string): Promise<void> => {
      if (await canOpenS3()) {
        shell.activateById(SIDEBAR_ID);
        await commands.execute(S3_OPEN_COMMAND, { uri });
      } else {
        Clipboard.copyToSystem(uri);
        Notification.info(`The S3 browser cannot open ${uri} here; copied it to the clipboard.`, {
          autoClose: 6000
        });
      }
    };

    /** Python kernelspecs, for the framework select. */
    const kernels = async (): Promise<IKernelChoice[]> => {
      const manager = app.serviceManager.kernelspecs;
      await manager.ready;
      return Object.values(manager.specs?.kernelspecs ?? {})
        .filter(spec => spec && (spec.language ?? '').toLowerCase() === 'python')
        .map(spec => ({ name: spec!.name, displayName: spec!.display_name }));
    };

    const scriptExists = async (path: string): Promise<boolean> => {
      try {
        const model = await app.serviceManager.contents.get(path, { content: false });
        return model.type !== 'directory';
      } catch {
        return false;
      }
    };

    const pickScript = docManager
      ? async (): Promise<string | null> => {
          const result = await FileDialog.getOpenFiles({
            manager: docManager,
            title: 'Choose the training script',
            filter: model => (model.type === 'directory' || model.path.endsWith('.py') ? {} : null)
          });
          const file = result.button.accept ? result.value?.find(m => m.type !== 'directory') : undefined;
          return file ? file.path : null;
        }
      : undefined;

    /** Open a create form with `state`. */
    const openForm = (state: ITrainingFormState): MainAreaWidget<TrainingForm> =>
      openInMainArea(
        shell,
        { id: `jp-mlstudio-new-training-job-${++formCount}`, label: 'New training job', caption: 'Create a training job' },
        close =>
          new TrainingForm({
            client,
            state,
            kernels,
            pickScript,
            scriptExists,
            onCreated: name => {
              close();
              void commands.execute(TrainingCommandIDs.openJob, { name });
            }
          })
      );

    /** The open view of a job, or a new one. */
    const openView = (name: string): MainAreaWidget<JobView> =>
      openTracked(shell, views, { id: jobViewId(name), label: `Training: ${name}`, caption: `Training job ${name}` }, close =>
        new JobView({
          client,
          name,
          clone: job => openForm(stateFromJob(job)),
          canOpenS3,
          openS3: uri => void openS3(uri),
          copy,
          deleted: close,
          deploy: job => {
            if (commands.hasCommand(DEPLOY_COMMAND)) {
              void commands.execute(DEPLOY_COMMAND, { trainingJob: job });
            } else {
              Notification.warning('The Endpoints panel is not enabled.', { autoClose: 5000 });
            }
          }
        })
      );

    const section = new TrainingSection({
      client,
      openJob: name => void commands.execute(TrainingCommandIDs.openJob, { name }),
      newJob: () => void commands.execute(TrainingCommandIDs.newJob)
    });
    studio.addSection(section, { rank: SECTION_RANK });

    commands.addCommand(TrainingCommandIDs.newJob, {
      label: 'New Training Job…',
      caption: 'Create a SageMaker-style training job from a workspace script',
      icon: addIcon,
      execute: args => {
        openForm(
          defaultFormState({
            program: typeof args.program === 'string' ? args.program : undefined,
            sourceDir: typeof args.source_dir === 'string' ? args.source_dir : undefined
          })
        );
      }
    });

    commands.addCommand(TrainingCommandIDs.trainScript, {
      label: 'Train This Script…',
      caption: 'Open a new training job for this Python script',
      icon: runIcon,
      execute: args => {
        let path = typeof args.path === 'string' ? args.path : '';
        if (!path) {
          const browser = browsers?.tracker.currentWidget;
          for (const item of browser?.selectedItems() ?? []) {
            if (item.type !== 'directory' && item.path.endsWith('.py')) {
              path = item.path;
              break;
            }
          }
        }
        if (!path) {
          Notification.warning('Select a .py file to train it.', { autoClose: 5000 });
          return;
        }
        const local = app.serviceManager.contents.localPath(path);
        openForm(defaultFormState(splitScriptPath(local)));
      }
    });

    commands.addCommand(TrainingCommandIDs.openJob, {
      label: args => (args.name ? `Open Training Job ${args.name}` : 'Open Training Job'),
      execute: args => {
        const name = nameOf(args);
        if (name) {
          openView(name);
        }
      }
    });

    commands.addCommand(TrainingCommandIDs.cloneJob, {
      label: 'Clone Training Job…',
      caption: 'Open a new job form prefilled from this job',
      execute: async args => {
        const name = nameOf(args);
        if (!name) {
          return;
        }
        try {
          openForm(stateFromJob(await client.describe(name)));
        } catch (error) {
          notifyFailure(`clone ${name}`, error);
        }
      }
    });

    /** The status of the right-clicked row. */
    const rowStatus = (): string => {
      const name = section.contextName;
      const row = name ? section.node.querySelector(`${JOB_ROW_SELECTOR}[data-name="${CSS.escape(name)}"]`) : null;
      return (row as HTMLElement | null)?.dataset.status ?? '';
    };

    commands.addCommand(TrainingCommandIDs.stopJob, {
      label: 'Stop Training Job…',
      isEnabled: args => (args.name ? true : canStop(rowStatus())),
      execute: async args => {
        const name = nameOf(args);
        if (!name) {
          return;
        }
        try {
          await confirmStop(client, name);
        } catch (error) {
          notifyFailure(`stop ${name}`, error);
        }
      }
    });

    commands.addCommand(TrainingCommandIDs.deleteJob, {
      label: 'Delete Training Job…',
      isEnabled: args => (args.name ? true : isTerminal(rowStatus())),
      execute: async args => {
        const name = nameOf(args);
        if (name) {
          await deleteAndClose(() => confirmDelete(client, name), views, jobViewId(name), name);
        }
      }
    });

    app.contextMenu.addItem({ command: TrainingCommandIDs.trainScript, selector: PYTHON_FILE_SELECTOR, rank: 20 });
    app.contextMenu.addItem({ command: TrainingCommandIDs.openJob, selector: JOB_ROW_SELECTOR, rank: 1 });
    app.contextMenu.addItem({ command: TrainingCommandIDs.cloneJob, selector: JOB_ROW_SELECTOR, rank: 2 });
    app.contextMenu.addItem({ command: TrainingCommandIDs.stopJob, selector: JOB_ROW_SELECTOR, rank: 3 });
    app.contextMenu.addItem({ command: TrainingCommandIDs.deleteJob, selector: JOB_ROW_SELECTOR, rank: 4 });

    palette?.addItem({ command: TrainingCommandIDs.newJob, category: CATEGORY });

    if (restorer) {
      restoreByName(restorer, views, TrainingCommandIDs.openJob);
    }
  }
};
