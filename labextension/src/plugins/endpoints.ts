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
import {
  Clipboard,
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
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
import { mlstudioIcon } from '../icons';
import { errorText } from '../status';
import { canStop, isTerminal } from '../training/status';
import { IMLStudio } from '../tokens';

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

    const copy = (text: string): void => {
      Clipboard.copyToSystem(text);
      Notification.success('Copied to the clipboard', { autoClose: 3000 });
    };

    /** The name of a command: `args.name`, else the right-clicked row of `kind`. */
    const nameOf = (args: ReadonlyPartialJSONObject, kind: 'endpoint' | 'transform'): string | null => {
      if (typeof args.name === 'string' && args.name) {
        return args.name;
      }
      const row = section.contextRow;
      return row && row.kind === kind ? row.name : null;
    };

    /** Show `content` in a main-area tab. */
    const addToMain = <T extends Widget>(content: T, id: string, label: string, caption: string): MainAreaWidget<T> => {
      const widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.title.label = label;
      widget.title.caption = caption;
      widget.title.icon = mlstudioIcon;
      widget.title.closable = true;
      shell.add(widget, 'main');
      shell.activateById(id);
      return widget;
    };

    const openEndpoint = (name: string): void => {
      const id = endpointViewId(name);
      if (endpointViews.find(w => w.id === id)) {
        shell.activateById(id);
        return;
      }
      const content = new EndpointView({ client, name, copy, deleted: () => widget.dispose() });
      const widget = addToMain(content, id, name, `Endpoint ${name}`);
      void endpointViews.add(widget);
    };

    const openTransform = (name: string): void => {
      const id = transformViewId(name);
      if (transformViews.find(w => w.id === id)) {
        shell.activateById(id);
        return;
      }
      const content = new TransformView({ client, name, deleted: () => widget.dispose() });
      const widget = addToMain(content, id, `Transform: ${name}`, `Batch transform job ${name}`);
      void transformViews.add(widget);
    };

    const failed = (what: string, error: unknown): void => {
      Notification.error(`Could not ${what}: ${errorText(error)}`, { autoClose: 8000 });
    };

    const deleteEndpoint = async (name: string): Promise<void> => {
      try {
        if (await confirmDeleteEndpoint(client, name)) {
          endpointViews.find(w => w.id === endpointViewId(name))?.dispose();
        }
      } catch (error) {
        failed(`delete ${name}`, error);
      }
    };

    const deleteTransform = async (name: string): Promise<void> => {
      try {
        if (await confirmDeleteTransform(client, name)) {
          transformViews.find(w => w.id === transformViewId(name))?.dispose();
        }
      } catch (error) {
        failed(`delete ${name}`, error);
      }
    };

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
      execute: args => {
        const content: EndpointForm = new EndpointForm({
          client,
          state: defaultEndpointState(trainingJobOf(args)),
          onCreated: name => {
            widget.dispose();
            void commands.execute(EndpointsCommandIDs.openEndpoint, { name });
          }
        });
        const widget = addToMain(content, `jp-mlstudio-new-endpoint-${++formCount}`, 'New endpoint', 'Create a real-time endpoint');
      }
    });

    commands.addCommand(EndpointsCommandIDs.newTransform, {
      label: 'New Batch Transform Job…',
      caption: 'Run a model over every object under an S3 prefix',
      icon: addIcon,
      execute: args => {
        const content: TransformForm = new TransformForm({
          client,
          state: defaultTransformState(trainingJobOf(args)),
          onCreated: name => {
            widget.dispose();
            void commands.execute(EndpointsCommandIDs.openTransform, { name });
          }
        });
        const widget = addToMain(content, `jp-mlstudio-new-transform-${++formCount}`, 'New batch transform', 'Create a batch transform job');
      }
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
            failed('list endpoints', error);
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
          failed(`stop ${name}`, error);
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
      void restorer.restore(endpointViews, {
        command: EndpointsCommandIDs.openEndpoint,
        args: widget => ({ name: widget.content.name }),
        name: widget => widget.content.name
      });
      void restorer.restore(transformViews, {
        command: EndpointsCommandIDs.openTransform,
        args: widget => ({ name: widget.content.name }),
        name: widget => widget.content.name
      });
    }
  }
};
