/**
 * Stop and Delete with their confirmation dialogs, shared by the job view
 * and the list's context menu.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

import type { TrainingClient } from './client';

/** Ask, then stop the job. Resolves false when cancelled; throws on failure. */
export async function confirmStop(client: TrainingClient, name: string): Promise<boolean> {
  const result = await showDialog({
    title: 'Stop training job?',
    body: `Stop “${name}”? The script gets SIGTERM (SIGKILL after a grace period); what it saved in SM_MODEL_DIR is still uploaded, as on SageMaker.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Stop job' })]
  });
  if (!result.button.accept) {
    return false;
  }
  await client.stop(name);
  return true;
}

/** Ask, then delete the job. Resolves false when cancelled; throws on failure. */
export async function confirmDelete(client: TrainingClient, name: string): Promise<boolean> {
  const result = await showDialog({
    title: 'Delete training job?',
    body: `Delete “${name}” with its log and metrics? Its model artifacts in S3 stay.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  if (!result.button.accept) {
    return false;
  }
  await client.remove(name);
  return true;
}
