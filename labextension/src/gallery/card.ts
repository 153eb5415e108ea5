/**
 * What a gallery card shows and offers, derived from an example.
 */
import { badgeFor, type IBadge } from './badge';
import type { IExample } from './types';

/** Everything a card renders; no DOM. */
export interface ICardModel {
  id: string;
  title: string;
  summary: string;
  /** `data/s3` or '' when the example is at the top of its source. */
  category: string;
  tags: string[];
  /** e.g. `Python · python3`. */
  kernelLabel: string;
  author: string;
  /** `2026-11-28`, '' when unknown. */
  modified: string;
  /** Full modification time for the tooltip. */
  modifiedTitle: string;
  badge: IBadge;
  reviewed: boolean;
  /** A broken notebook can be neither previewed nor used. */
  usable: boolean;
  /** Why it is not usable. */
  problem: string;
  /** Approve / Reject buttons: unreviewed, unless the server said we may not review. */
  showReview: boolean;
  /** Delete button: unreviewed examples only (the server checks authorship). */
  showDelete: boolean;
}

/** Options that are not part of the example itself. */
export interface ICardOptions {
  /** `false` once the server answered `NotAReviewer`; `null` while unknown. */
  reviewer: boolean | null;
}

/** Capitalise the first letter (`python` → `Python`). */
function capitalise(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** `Python · python3`; one of them alone when the other is missing or the same. */
export function kernelLabel(language: string, kernel: string): string {
  const lang = capitalise((language ?? '').trim());
  const spec = (kernel ?? '').trim();
  if (!lang) {
    return spec;
  }
  if (!spec || spec.toLowerCase() === lang.toLowerCase()) {
    return lang;
  }
  return `${lang} · ${spec}`;
}

/** `YYYY-MM-DD` of an ISO time in the local time zone, '' if unreadable. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) {
    return '';
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The card of one example. */
export function cardModel(
  example: IExample,
  options: ICardOptions = { reviewer: null }
): ICardModel {
  const modified = formatDate(example.modified);
  const usable = example.valid !== false;
  return {
    id: example.id,
    title: example.title || example.name,
    summary: example.summary ?? '',
    category: example.category ?? '',
    tags: Array.isArray(example.tags) ? example.tags : [],
    kernelLabel: kernelLabel(example.language, example.kernel),
    author: example.author ?? '',
    modified,
    modifiedTitle: modified ? new Date(example.modified).toString() : '',
    badge: badgeFor(example.validation),
    reviewed: example.reviewed,
    usable,
    problem: usable ? '' : (example.error ?? 'Not a valid notebook.'),
    showReview: !example.reviewed && options.reviewer !== false,
    showDelete: !example.reviewed
  };
}

/** The `n` most recently modified examples, newest first. */
export function mostRecent(
  examples: readonly IExample[],
  n: number
): IExample[] {
  const time = (e: IExample) => {
    const t = new Date(e.modified).getTime();
    return Number.isNaN(t) ? 0 : t;
  };
  return [...examples].sort((a, b) => time(b) - time(a)).slice(0, n);
}
