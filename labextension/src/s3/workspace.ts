/**
 * "Upload to S3" for files of JupyterLab's file browser: ask where, then let
 * the server copy them (`upload-from-workspace`), asking before replacing.
 */
import { Dialog, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';

import { ProgressNotification } from '../progressnote';
import * as client from './client';
import { describeError, isObjectExists } from './errors';
import { plural } from './format';
import { baseName, formatDestination, parseDestination, s3Uri, uploadKey } from './paths';

/** The destination offered when the S3 browser has no bucket open. */
export const DEFAULT_DESTINATION = 'mlstudio/';

/** A workspace file to upload. */
export interface IWorkspaceFile {
  /** Path relative to the server root, as the file browser gives it. */
  path: string;
}

/** Where the S3 browser is, to offer it as the destination. */
export interface IDefaultDestination {
  connection: string;
  bucket: string | null;
  prefix: string;
}

/**
 * Ask for a bucket and prefix, upload `files` there, report in notifications.
 * `uploaded` is called for each object written (to update the S3 browser).
 */
export async function uploadWorkspaceFiles(
  files: IWorkspaceFile[],
  where: IDefaultDestination,
  uploaded: (connection: string, bucket: string, key: string, size: number) => void
): Promise<void> {
  if (files.length === 0) {
    return;
  }
  const answer = await InputDialog.getText({
    title: files.length === 1 ? `Upload ${baseName(files[0].path)} to S3` : `Upload ${files.length} files to S3`,
    label: 'Bucket and prefix (folder), e.g. mlstudio/data/',
    text: where.bucket ? formatDestination(where.bucket, where.prefix) : DEFAULT_DESTINATION,
    okLabel: 'Upload'
  });
  if (!answer.button.accept || answer.value === null) {
    return;
  }
  const dest = parseDestination(answer.value);
  if (!dest) {
    Notification.warning('Upload to S3: give a bucket, e.g. mlstudio/data/.', { autoClose: 8000 });
    return;
  }
  const connection = where.connection || 'default';
  let done = 0;
  for (const file of files) {
    const key = uploadKey(dest.prefix, baseName(file.path));
    const uri = s3Uri(dest.bucket, key);
    const progress = new ProgressNotification(`Uploading ${baseName(file.path)} to ${uri}…`);
    try {
      let reply;
      try {
        reply = await client.uploadFromWorkspace(connection, dest.bucket, file.path, key, false);
      } catch (error) {
        if (!isObjectExists(error)) {
          throw error;
        }
        const result = await showDialog({
          title: 'Replace object?',
          body: `${uri} already exists. Replace it with ${file.path}?`,
          buttons: [Dialog.cancelButton({ label: 'Keep existing' }), Dialog.warnButton({ label: 'Replace' })]
        });
        if (!result.button.accept) {
          progress.finish(`Not uploaded: ${uri} exists.`, 'info');
          continue;
        }
        reply = await client.uploadFromWorkspace(connection, dest.bucket, file.path, key, true);
      }
      done++;
      uploaded(connection, dest.bucket, key, reply.size);
      progress.finish(`Uploaded ${file.path} to ${uri}.`, 'success');
    } catch (error) {
      progress.finish(describeError(error, `Uploading ${file.path}`), 'error', false);
    }
  }
  if (files.length > 1 && done > 0) {
    Notification.success(`Uploaded ${plural(done, 'file')} to ${s3Uri(dest.bucket, dest.prefix)}.`, {
      autoClose: 5000
    });
  }
}
