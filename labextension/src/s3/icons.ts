/**
 * Icons of the S3 browser that JupyterLab does not have, and the icon of a row.
 */
import {
  fileIcon,
  folderIcon,
  imageIcon,
  jsonIcon,
  LabIcon,
  markdownIcon,
  notebookIcon,
  pythonIcon,
  spreadsheetIcon,
  textEditorIcon,
  yamlIcon
} from '@jupyterlab/ui-components';

import type { IEntry } from './entries';
import { extension } from './paths';

/** A bucket: a pail drawn with the theme's icon colour. */
export const bucketIcon = new LabIcon({
  name: 'mlstudio:s3-bucket',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <ellipse cx="12" cy="5.5" rx="8.5" ry="2.6"/>
    <path d="M3.5 7.6c1.2 1.4 4.6 2.2 8.5 2.2s7.3-.8 8.5-2.2l-1.9 11.6c-.2 1.4-3 2.6-6.6 2.6s-6.4-1.2-6.6-2.6z" opacity=".75"/>
  </g>
</svg>`
});

const BY_EXTENSION: Record<string, LabIcon> = {
  ipynb: notebookIcon,
  py: pythonIcon,
  md: markdownIcon,
  markdown: markdownIcon,
  json: jsonIcon,
  jsonl: jsonIcon,
  ndjson: jsonIcon,
  geojson: jsonIcon,
  csv: spreadsheetIcon,
  tsv: spreadsheetIcon,
  parquet: spreadsheetIcon,
  xlsx: spreadsheetIcon,
  yaml: yamlIcon,
  yml: yamlIcon,
  txt: textEditorIcon,
  log: textEditorIcon,
  png: imageIcon,
  jpg: imageIcon,
  jpeg: imageIcon,
  gif: imageIcon,
  webp: imageIcon,
  svg: imageIcon,
  bmp: imageIcon
};

/** The icon of a row. */
export function entryIcon(entry: IEntry): LabIcon {
  if (entry.kind === 'bucket') {
    return bucketIcon;
  }
  if (entry.kind === 'folder') {
    return folderIcon;
  }
  return BY_EXTENSION[extension(entry.path)] ?? fileIcon;
}

const templates = new Map<LabIcon, HTMLElement>();

/** A fresh element of `icon` (cloned from a cached one: rows are made often). */
export function iconElement(icon: LabIcon, className: string): HTMLElement {
  let template = templates.get(icon);
  if (!template) {
    template = icon.element({ tag: 'span', className, elementPosition: 'center' });
    templates.set(icon, template);
  }
  const node = template.cloneNode(true) as HTMLElement;
  node.className = template.className;
  return node;
}
