/**
 * Delete and Stop with their confirmation dialogs, shared by the views and
 * the section's rows and context menu.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { confirmThen } from '../training/actions';
import type { EndpointsClient } from './client';
import { el } from './dom';
import { resourcesToDelete } from './models';

/** The delete dialog's body: a message and "also delete the config and models". */
class DeleteEndpointBody extends Widget implements Dialog.IBodyWidget<boolean> {
  constructor(name: string) {
    super();
    this.addClass('jp-mlstudio-endpoints-confirm');
    const text = el(
      'p',
      '',
      `Delete “${name}”? Requests in flight finish, then its instances stop; its metrics and scaling history are removed.`
    );
    const label = el('label', 'jp-mlstudio-endpoints-confirm-option');
    this._check.type = 'checkbox';
    this._check.name = 'delete-resources';
    label.append(this._check, ' Also delete its endpoint configuration and models (model.tar.gz in S3 stays)');
    this.node.append(text, label);
  }

  getValue(): boolean {
    return this._check.checked;
  }

  private readonly _check = el('input');
}

/** The config and models of `name` that no other endpoint uses, or null if unknown. */
async function cleanupPlan(client: EndpointsClient, name: string): Promise<ReturnType<typeof resourcesToDelete> | null> {
  try {
    const target = await client.describeEndpoint(name);
    const list = await client.listEndpoints();
    const others = await Promise.all(
      list.Endpoints.filter(e => e.EndpointName !== name).map(e => client.describeEndpoint(e.EndpointName))
    );
    return resourcesToDelete(target, others);
  } catch {
    // Without knowing what others use, delete only the endpoint.
    return null;
  }
}

/**
 * Ask, then delete the endpoint (and, if asked, its configuration and the
 * models its variants serve). Resolves false when cancelled; throws on failure.
 */
export async function confirmDeleteEndpoint(client: EndpointsClient, name: string): Promise<boolean> {
  const result = await showDialog<boolean>({
    title: 'Delete endpoint?',
    body: new DeleteEndpointBody(name),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  if (!result.button.accept) {
    return false;
  }
  const plan = result.value ? await cleanupPlan(client, name) : null;
  await client.deleteEndpoint(name);
  if (plan) {
    // Best effort: the endpoint is gone either way.
    if (plan.config) {
      await client.deleteEndpointConfig(plan.config).catch(() => undefined);
    }
    await Promise.allSettled(plan.models.map(m => client.deleteModel(m)));
  }
  return true;
}

/** Ask, then stop a transform job. Resolves false when cancelled; throws on failure. */
export function confirmStopTransform(client: EndpointsClient, name: string): Promise<boolean> {
  return confirmThen(
    'Stop batch transform job?',
    `Stop “${name}”? Output files already written to S3 stay.`,
    'Stop job',
    () => client.stopTransform(name)
  );
}

/** Ask, then delete an ended transform job. Resolves false when cancelled; throws on failure. */
export function confirmDeleteTransform(client: EndpointsClient, name: string): Promise<boolean> {
  return confirmThen(
    'Delete batch transform job?',
    `Delete “${name}” and its log? Its output in S3 stays.`,
    'Delete',
    () => client.deleteTransform(name)
  );
}
