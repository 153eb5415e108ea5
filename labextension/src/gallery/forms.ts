/**
 * The values of the "Use" and "Share as example" dialogs and their checks.
 */
import type { IExample, IShareRequest, IUseRequest } from './types';

/** Problems with a form's fields, by field name; empty when the form is valid. */
export type FormErrors<K extends string> = Partial<Record<K, string>>;

/** A checked form: the request to send, or the errors to show. */
export type Checked<R, K extends string> =
  { ok: true; request: R } | { ok: false; errors: FormErrors<K> };

// "Use" ----------------------------------------------------------------------

/** The fields of the "Use" dialog. */
export interface IUseForm {
  folder: string;
  name: string;
  stripOutputs: boolean;
}

/** The workspace folder examples are copied into by default. */
export const DEFAULT_USE_FOLDER = 'examples';

/** The "Use" dialog's initial values for an example. */
export function useFormDefaults(
  example: Pick<IExample, 'name'>,
  folder: string = DEFAULT_USE_FOLDER
): IUseForm {
  return { folder, name: example.name, stripOutputs: false };
}

/** A folder below the server root: no leading or trailing '/', no '.' or '..' parts. */
export function normaliseFolder(folder: string): string {
  return folder
    .trim()
    .replace(/\\/g, '/')
    .split('/')
    .filter(part => part !== '' && part !== '.')
    .join('/');
}

/** Check the "Use" dialog; a name without `.ipynb` gets it. */
export function checkUseForm(
  form: IUseForm
): Checked<IUseRequest, 'folder' | 'name'> {
  const errors: FormErrors<'folder' | 'name'> = {};
  const folder = normaliseFolder(form.folder);
  if (folder.split('/').includes('..')) {
    errors.folder = 'The folder must be inside the workspace (no "..").';
  } else if (folder.includes('\0')) {
    errors.folder = 'The folder name contains an invalid character.';
  }
  let name = form.name.trim();
  if (!name) {
    errors.name = 'Enter a file name.';
  } else if (/[/\\\0]/.test(name)) {
    errors.name = 'A file name cannot contain "/" or "\\".';
  } else if (name.startsWith('.')) {
    errors.name = 'A file name cannot start with ".".';
  } else if (!name.toLowerCase().endsWith('.ipynb')) {
    name = `${name}.ipynb`;
  }
  if (errors.folder || errors.name) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    request: { folder, name, strip_outputs: form.stripOutputs }
  };
}

// "Share as example" ---------------------------------------------------------

/** The fields of the "Share as example" dialog. */
export interface IShareForm {
  title: string;
  summary: string;
  /** Comma separated. */
  tags: string;
  category: string;
}

/** Field names of the share form. */
export type ShareField = keyof IShareForm | 'path';

/** Limits, the server's. */
export const SHARE_LIMITS = {
  title: 200,
  summary: 2000,
  category: 200,
  tags: 20,
  tag: 50
} as const;

/** `a, b,,  c, a` → `['a', 'b', 'c']`: trimmed, no empties, no repeats. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim();
    if (tag && !seen.has(tag)) {
      seen.add(tag);
      tags.push(tag);
    }
  }
  return tags;
}

/** `work/my_model-v2.ipynb` → `My model v2`. */
export function titleFromPath(path: string): string {
  const file = path.split('/').pop() ?? '';
  const stem = file.replace(/\.ipynb$/i, '');
  const words = stem.replace(/[-_]+/g, ' ').trim().replace(/\s+/g, ' ');
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/** The share dialog's initial values for a notebook. */
export function shareFormDefaults(path: string): IShareForm {
  return { title: titleFromPath(path), summary: '', tags: '', category: '' };
}

/** Check the share dialog for the notebook at `path` (relative to the server root). */
export function checkShareForm(
  form: IShareForm,
  path: string
): Checked<IShareRequest, ShareField> {
  const errors: FormErrors<ShareField> = {};
  const title = form.title.trim();
  const summary = form.summary.trim();
  const category = normaliseFolder(form.category);
  const tags = parseTags(form.tags);
  if (!path.toLowerCase().endsWith('.ipynb')) {
    errors.path = 'Only notebooks (.ipynb) can be shared as examples.';
  }
  if (!title) {
    errors.title = 'A title is required.';
  } else if (title.length > SHARE_LIMITS.title) {
    errors.title = `At most ${SHARE_LIMITS.title} characters.`;
  }
  if (summary.length > SHARE_LIMITS.summary) {
    errors.summary = `At most ${SHARE_LIMITS.summary} characters.`;
  }
  if (category.length > SHARE_LIMITS.category) {
    errors.category = `At most ${SHARE_LIMITS.category} characters.`;
  } else if (category.split('/').includes('..')) {
    errors.category = 'A category cannot contain "..".';
  }
  if (tags.length > SHARE_LIMITS.tags) {
    errors.tags = `At most ${SHARE_LIMITS.tags} tags.`;
  } else if (tags.some(t => t.length > SHARE_LIMITS.tag)) {
    errors.tags = `A tag has at most ${SHARE_LIMITS.tag} characters.`;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, request: { path, title, summary, tags, category } };
}
