/**
 * The Tuning plugin: the sidebar's "Tuning" section (hyperparameter tuning
 * jobs), the create form, tuning job views, and their commands. Trials open
 * in the Training panel's job view, through its command.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IThemeManager, type MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { addIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { rethemeCharts } from '../common/charts';
import { IMLStudio } from '../tokens';
import { confirmThen } from '../training/actions';
import { TuningClient } from '../tuning/client';
import { defaultTuningState, definitionFromTrainingJob, stateFromTuningJob, type ITuningFormState } from '../tuning/form';
import { TuningForm } from '../tuning/formview';
import { TuningJobView, tuningViewId } from '../tuning/jobview';
import { uniqueTuningName } from '../tuning/names';
import { TuningSection } from '../tuning/section';
import { notifyFailure, openInMainArea, openTracked, restoreByName } from './mainarea';

/** Command ids of the Tuning panel. */
export namespace TuningCommandIDs {
  /** Open the create form; optional arg `trainingJob` preselects the training job to copy. */
  export const newJob = 'mlstudio:tuning-new';
  /** Open a tuning job's view; arg `name`. */
  export const openJob = 'mlstudio:tuning-open';
  /** Open the create form prefilled from a tuning job; arg `name`. */
  export const cloneJob = 'mlstudio:tuning-clone';
  /** Stop a running tuning job (asks first); arg `name`. */
  export const stopJob = 'mlstudio:tuning-stop';
}

/** The Training panel's command that opens a training job's view (arg `name`). */
const OPEN_TRAINING_JOB = 'mlstudio:training-open';

/** Rank of the section in the sidebar: right after Training (30), before Endpoints (35). */
const SECTION_RANK = 32;

const CATEGORY = 'ML Studio';

/** Provides the Tuning panel. */
export const tuningPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:tuning',
  description: 'Hyperparameter tuning jobs: create (ranges, strategy, objective, limits), follow (trials, charts), stop and clone.',
  autoStart: true,
  requires: [IMLStudio],
  optional: [ICommandPalette, ILayoutRestorer, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    studio: IMLStudio,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null
  ): void => {
    const { commands, shell } = app;
    const client = new TuningClient();
    const views = new WidgetTracker<MainAreaWidget<TuningJobView>>({ namespace: 'mlstudio-tuning-job' });
    let formCount = 0;

    themes?.themeChanged.connect(() => rethemeCharts());

    const nameArg = (args: ReadonlyPartialJSONObject): string | null =>
      typeof args.name === 'string' && args.name ? args.name : null;

    const openTrainingJob = (name: string): void => {
      if (commands.hasCommand(OPEN_TRAINING_JOB)) {
        void commands.execute(OPEN_TRAINING_JOB, { name });
      } else {
        Notification.warning('The Training panel is not enabled.', { autoClose: 5000 });
      }
    };

    const confirmStop = (name: string): Promise<boolean> =>
      confirmThen(
        'Stop tuning job?',
        `Stop “${name}”? Its running trials are stopped too; the trials that ended and the best one so far stay.`,
        'Stop tuning job',
        () => client.stop(name)
      );

    const openForm = (state: ITuningFormState): MainAreaWidget<TuningForm> =>
      openInMainArea(
        shell,
        { id: `jp-mlstudio-new-tuning-job-${++formCount}`, label: 'New tuning job', caption: 'Create a hyperparameter tuning job' },
        close =>
          new TuningForm({
            client,
            state,
            onCreated: name => {
              close();
              void commands.execute(TuningCommandIDs.openJob, { name });
            }
          })
      );

    const openView = (name: string): MainAreaWidget<TuningJobView> =>
      openTracked(shell, views, { id: tuningViewId(name), label: `Tuning: ${name}`, caption: `Tuning job ${name}` }, () =>
        new TuningJobView({
          client,
          name,
          openTrainingJob,
          clone: job => openForm(stateFromTuningJob(job)),
          confirmStop
        })
      );

    const section = new TuningSection({
      client,
      openJob: name => void commands.execute(TuningCommandIDs.openJob, { name }),
      newJob: () => void commands.execute(TuningCommandIDs.newJob)
    });
    studio.addSection(section, { rank: SECTION_RANK });

    commands.addCommand(TuningCommandIDs.newJob, {
      label: 'New Tuning Job…',
      caption: 'Create a hyperparameter tuning job from an existing training job',
      icon: addIcon,
      execute: async args => {
        const state = defaultTuningState();
        const source = typeof args.trainingJob === 'string' ? args.trainingJob : '';
        if (source) {
          try {
            const job = await client.trainingJob(source);
            state.definition = definitionFromTrainingJob(job);
            state.roleArn = job.RoleArn || state.roleArn;
            state.sourceJob = source;
            state.name = uniqueTuningName(source);
            state.objectiveMetric = state.definition.AlgorithmSpecification.MetricDefinitions[0]?.Name ?? '';
          } catch (error) {
            notifyFailure(`read training job ${source}`, error);
          }
        }
        openForm(state);
      }
    });

    commands.addCommand(TuningCommandIDs.openJob, {
      label: args => (args.name ? `Open Tuning Job ${args.name}` : 'Open Tuning Job'),
      execute: args => {
        const name = nameArg(args);
        if (name) {
          openView(name);
        }
      }
    });

    commands.addCommand(TuningCommandIDs.cloneJob, {
      label: 'Clone Tuning Job…',
      caption: 'Open a new tuning job form prefilled from this job',
      execute: async args => {
        const name = nameArg(args);
        if (!name) {
          return;
        }
        try {
          openForm(stateFromTuningJob(await client.describe(name)));
        } catch (error) {
          notifyFailure(`clone ${name}`, error);
        }
      }
    });

    commands.addCommand(TuningCommandIDs.stopJob, {
      label: 'Stop Tuning Job…',
      execute: async args => {
        const name = nameArg(args);
        if (!name) {
          return;
        }
        try {
          await confirmStop(name);
        } catch (error) {
          notifyFailure(`stop ${name}`, error);
        }
      }
    });

    palette?.addItem({ command: TuningCommandIDs.newJob, category: CATEGORY });

    if (restorer) {
      restoreByName(restorer, views, TuningCommandIDs.openJob);
    }
  }
};
