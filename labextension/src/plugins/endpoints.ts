/**
 * The Endpoints plugin: the sidebar's "Endpoints" section (endpoints and
 * batch transform jobs), the create forms, endpoint and transform job views,
 * and their commands.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog, type MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { addIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';

import { confirmDeleteEndpoint, confirmDeleteTransform, confirmStopTransform } from '../endpoints/actions';
import { EndpointsClient } from '../endpoints/client';
import { EndpointView, endpointViewId } from '../endpoints/endpointview';
import { defaultEndpointState } from '../endpoints/form';
import { EndpointForm } from '../endpoints/newendpoint';
import { TransformForm } from '../endpoints/newtransform';
import { EndpointsSection, ENDPOINT_ROW_CLASS, TRANSFORM_ROW_CLASS } from '../endpoints/section';
import { defaultTransformState } from '../endpoints/transform';
import { TransformView, transformViewId } from '../endpoints/transformview';
import { IMLStudio } from '../tokens';
import { canStop, isTerminal } from '../training/status';
import { copyToClipboard, deleteAndClose, notifyFailure, openInMainArea, openTracked, restoreByName } from './mainarea';

/** Command ids of the Endpoints panel. */
export namespace EndpointsCommandIDs {
  /** Open the "New endpoint" form; optional arg `trainingJob` preselects its model. */
  export const newEndpoint = 'mlstudio:endpoints-new';
  /** Open an endpoint's view; arg `name` (asks when missing). */
  export const openEndpoint = 'mlstudio:endpoint-open';
  /** Delete an endpoint (asks first); arg `name`, else the right-clicked row. */
  export const deleteEndpoint = 'mlstudio:endpoint-delete';
  /** Open the "New batch transform" form; optional arg `trainingJob`. */
  export const newTransform = 'mlstudio:transform-new';
  /** Open a transform job's view; arg `name`. */
  export const openTransform = 'mlstudio:transform-open';
  /** Stop a running transform job (asks first); arg `name`, else the right-clicked row. */
  export const stopTransform = 'mlstudio:transform-stop';
  /** Delete an ended transform job (asks first); arg `name`, else the right-clicked row. */
  export const deleteTransform = 'mlstudio:transform-delete';
}

/** Rank of the section in the sidebar (Training 30, Kernels 40). */
const SECTION_RANK = 35;

const CATEGORY = 'ML Studio';

/** The create forms' tabs, and the command that shows what a form created. */
const FORMS = {
  endpoint: { label: 'New endpoint', caption: 'Create a real-time endpoint', open: EndpointsCommandIDs.openEndpoint },
  transform: { label: 'New batch transform', caption: 'Create a batch transform job', open: EndpointsCommandIDs.openTransform }
};

/** Provides the Endpoints panel. */
export const endpointsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:endpoints',
  description: 'Endpoints: deploy models to real-time endpoints (A/B variants, auto-scaling, test, charts, logs) and run batch transform jobs.',
  autoStart: true,
  requires: [IMLStudio],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    studio: IMLStudio,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const { commands, shell } = app;
    const client = new EndpointsClient();
    const endpointViews = new WidgetTracker<MainAreaWidget<EndpointView>>({ namespace: 'mlstudio-endpoint' });
    const transformViews = new WidgetTracker<MainAreaWidget<TransformView>>({ namespace: 'mlstudio-transform-job' });
    let formCount = 0;

    const copy = (text: string): void => copyToClipboard(text);

    /** The name of a command: `args.name`, else the right-clicked row of `kind`. */
    const nameOf = (args: ReadonlyPartialJSONObject, kind: 'endpoint' | 'transform'): string | null => {
      if (typeof args.name === 'string' && args.name) {
        return args.name;
      }
      const row = section.contextRow;
      return row && row.kind === kind ? row.name : null;
    };

    const openEndpoint = (name: string): void => {
      openTracked(
        shell,
        endpointViews,
        { id: endpointViewId(name), label: name, caption: `Endpoint ${name}` },
        close => new EndpointView({ client, name, copy, deleted: close })
      );
    };

    const openTransform = (name: string): void => {
      openTracked(
        shell,
        transformViews,
        { id: transformViewId(name), label: `Transform: ${name}`, caption: `Batch transform job ${name}` },
        close => new TransformView({ client, name, deleted: close })
      );
    };

    /** Open a create form (`kind` of FORMS); once it has created `name`, it closes and shows it. */
    const openForm = (kind: keyof typeof FORMS, create: (onCreated: (name: string) => void) => Widget): void => {
      const { open, ...title } = FORMS[kind];
      openInMainArea(shell, { id: `jp-mlstudio-new-${kind}-${++formCount}`, ...title }, close =>
        create(name => {
          close();
          void commands.execute(open, { name });
        })
      );
    };

    const deleteEndpoint = (name: string): Promise<void> =>
      deleteAndClose(() => confirmDeleteEndpoint(client, name), endpointViews, endpointViewId(name), name);

    const deleteTransform = (name: string): Promise<void> =>
      deleteAndClose(() => confirmDeleteTransform(client, name), transformViews, transformViewId(name), name);

    const section = new EndpointsSection({
      client,
      openEndpoint: name => void commands.execute(EndpointsCommandIDs.openEndpoint, { name }),
      openTransform: name => void commands.execute(EndpointsCommandIDs.openTransform, { name }),
      newEndpoint: () => void commands.execute(EndpointsCommandIDs.newEndpoint),
      newTransform: () => void commands.execute(EndpointsCommandIDs.newTransform),
      deleteEndpoint: name => void deleteEndpoint(name),
      deleteTransform: name => void deleteTransform(name)
    });
    studio.addSection(section, { rank: SECTION_RANK });

    const trainingJobOf = (args: ReadonlyPartialJSONObject): string =>
      typeof args.trainingJob === 'string' ? args.trainingJob : '';

    commands.addCommand(EndpointsCommandIDs.newEndpoint, {
      label: 'New Endpoint…',
      caption: 'Deploy a completed training job or a model.tar.gz in S3 to a real-time endpoint',
      icon: addIcon,
      describedBy: {
        args: { type: 'object', properties: { trainingJob: { type: 'string', description: 'A completed training job to deploy' } } }
      },
      execute: args =>
        openForm('endpoint', onCreated => new EndpointForm({ client, state: defaultEndpointState(trainingJobOf(args)), onCreated }))
    });

    commands.addCommand(EndpointsCommandIDs.newTransform, {
      label: 'New Batch Transform Job…',
      caption: 'Run a model over every object under an S3 prefix',
      icon: addIcon,
      execute: args =>
        openForm('transform', onCreated => new TransformForm({ client, state: defaultTransformState(trainingJobOf(args)), onCreated }))
    });

    commands.addCommand(EndpointsCommandIDs.openEndpoint, {
      label: args => (args.name ? `Open Endpoint ${args.name}` : 'Open Endpoint…'),
      caption: 'Show an endpoint: variants, test requests, charts and logs',
      describedBy: { args: { type: 'object', properties: { name: { type: 'string', description: 'The endpoint name' } } } },
      execute: async args => {
        let name = nameOf(args, 'endpoint');
        if (!name) {
          try {
            const names = (await client.listEndpoints()).Endpoints.map(e => e.EndpointName);
            if (!names.length) {
              Notification.info('There are no endpoints yet.', { autoClose: 4000 });
              return;
            }
            const result = await InputDialog.getItem({ title: 'Open endpoint', items: names });
            name = result.button.accept ? result.value : null;
          } catch (error) {
            notifyFailure('list endpoints', error);
            return;
          }
        }
        if (name) {
          openEndpoint(name);
        }
      }
    });

    commands.addCommand(EndpointsCommandIDs.deleteEndpoint, {
      label: 'Delete Endpoint…',
      isEnabled: args => !!args.name || section.contextRow?.status !== 'Deleting',
      execute: async args => {
        const name = nameOf(args, 'endpoint');
        if (name) {
          await deleteEndpoint(name);
        }
      }
    });

    commands.addCommand(EndpointsCommandIDs.openTransform, {
      label: args => (args.name ? `Open Transform Job ${args.name}` : 'Open Transform Job'),
      execute: args => {
        const name = nameOf(args, 'transform');
        if (name) {
          openTransform(name);
        }
      }
    });

    commands.addCommand(EndpointsCommandIDs.stopTransform, {
      label: 'Stop Transform Job…',
      isEnabled: args => !!args.name || canStop(section.contextRow?.status ?? ''),
      execute: async args => {
        const name = nameOf(args, 'transform');
        if (!name) {
          return;
        }
        try {
          await confirmStopTransform(client, name);
        } catch (error) {
          notifyFailure(`stop ${name}`, error);
        }
      }
    });

    commands.addCommand(EndpointsCommandIDs.deleteTransform, {
      label: 'Delete Transform Job…',
      isEnabled: args => !!args.name || isTerminal(section.contextRow?.status ?? ''),
      execute: async args => {
        const name = nameOf(args, 'transform');
        if (name) {
          await deleteTransform(name);
        }
      }
    });

    const endpointRow = `.${ENDPOINT_ROW_CLASS}`;
    const transformRow = `.${TRANSFORM_ROW_CLASS}`;
    app.contextMenu.addItem({ command: EndpointsCommandIDs.openEndpoint, selector: endpointRow, rank: 1 });
    app.contextMenu.addItem({ command: EndpointsCommandIDs.deleteEndpoint, selector: endpointRow, rank: 2 });
    app.contextMenu.addItem({ command: EndpointsCommandIDs.openTransform, selector: transformRow, rank: 1 });
    app.contextMenu.addItem({ command: EndpointsCommandIDs.stopTransform, selector: transformRow, rank: 2 });
    app.contextMenu.addItem({ command: EndpointsCommandIDs.deleteTransform, selector: transformRow, rank: 3 });

    for (const command of [EndpointsCommandIDs.newEndpoint, EndpointsCommandIDs.openEndpoint, EndpointsCommandIDs.newTransform]) {
      palette?.addItem({ command, category: CATEGORY });
    }

    if (restorer) {
      restoreByName(restorer, endpointViews, EndpointsCommandIDs.openEndpoint);
      restoreByName(restorer, transformViews, EndpointsCommandIDs.openTransform);
    }
  }
};
