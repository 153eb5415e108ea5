/**
 * Stop and Delete with their confirmation dialogs, shared by the job view
 * and the list's context menu.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

import type { TrainingClient } from './client';

/**
 * Ask `body` under `title` with a warning button labelled `label`, then run
 * `action`. Resolves false when cancelled; throws when `action` fails.
 */
export async function confirmThen(
  title: string,
  body: string,
  label: string,
  action: () => Promise<unknown>
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label })]
  });
  if (!result.button.accept) {
    return false;
  }
  await action();
  return true;
}

/** Ask, then stop the job. Resolves false when cancelled; throws on failure. */
export function confirmStop(client: TrainingClient, name: string): Promise<boolean> {
  return confirmThen(
    'Stop training job?',
    `Stop “${name}”? The script gets SIGTERM (SIGKILL after a grace period); what it saved in SM_MODEL_DIR is still uploaded, as on SageMaker.`,
    'Stop job',
    () => client.stop(name)
  );
}

/** Ask, then delete the job. Resolves false when cancelled; throws on failure. */
export function confirmDelete(client: TrainingClient, name: string): Promise<boolean> {
  return confirmThen(
    'Delete training job?',
    `Delete “${name}” with its log and metrics? Its model artifacts in S3 stay.`,
    'Delete',
    () => client.remove(name)
  );
}
