/**
 * The DOM of one gallery card. Buttons carry `data-action`; the view handles
 * clicks by delegation.
 */
import { el } from '../sidebar/dom';
import type { ICardModel } from './card';

/** Actions a card's buttons trigger. */
export type CardAction = 'preview' | 'use' | 'approve' | 'reject' | 'delete';

/** A card button. */
function actionButton(
  action: CardAction,
  label: string,
  title: string,
  disabled: boolean,
  modifier = ''
): HTMLButtonElement {
  const button = el(
    'button',
    `jp-mlstudio-gallery-button${modifier ? ` jp-mod-${modifier}` : ''}`,
    label
  );
  button.type = 'button';
  button.dataset.action = action;
  button.title = title;
  button.disabled = disabled;
  return button;
}

/** The validation badge (`data-status` is the server's status). */
export function renderBadge(card: Pick<ICardModel, 'badge'>): HTMLSpanElement {
  const badge = el('span', 'jp-mlstudio-gallery-badge', card.badge.label);
  badge.dataset.status = card.badge.status;
  badge.title = card.badge.tooltip;
  return badge;
}

/** A tag chip; clicking it filters by the tag. */
export function renderTag(tag: string, active: boolean): HTMLButtonElement {
  const chip = el('button', 'jp-mlstudio-gallery-tag', tag);
  chip.type = 'button';
  chip.dataset.tag = tag;
  chip.setAttribute('aria-pressed', String(active));
  chip.title = active ? `Show all tags` : `Only examples tagged “${tag}”`;
  return chip;
}

/**
 * Render a card.
 *
 * @param busy - an action on this card is in progress (its buttons are disabled)
 * @param activeTag - the tag filter, highlighted among the card's tags
 */
export function renderCard(
  card: ICardModel,
  busy = false,
  activeTag = ''
): HTMLElement {
  const root = el('article', 'jp-mlstudio-gallery-card');
  root.dataset.exampleId = card.id;
  root.dataset.title = card.title;
  root.dataset.reviewed = String(card.reviewed);
  root.setAttribute('aria-busy', String(busy));

  const head = el('header', 'jp-mlstudio-gallery-card-head');
  const title = el('h3', 'jp-mlstudio-gallery-card-title', card.title);
  title.title = card.title;
  head.append(title, renderBadge(card));
  root.append(head);

  const meta = el('div', 'jp-mlstudio-gallery-card-meta');
  if (!card.reviewed) {
    meta.append(el('span', 'jp-mlstudio-gallery-unreviewed', 'Unreviewed'));
  }
  if (card.category) {
    const category = el(
      'span',
      'jp-mlstudio-gallery-card-category',
      card.category
    );
    category.title = `Category: ${card.category}`;
    meta.append(category);
  }
  if (card.kernelLabel) {
    const kernel = el(
      'span',
      'jp-mlstudio-gallery-card-kernel',
      card.kernelLabel
    );
    kernel.title = 'Language · kernel';
    meta.append(kernel);
  }
  root.append(meta);

  root.append(
    el('p', 'jp-mlstudio-gallery-card-summary', card.summary || 'No summary.')
  );
  if (card.problem) {
    const problem = el('p', 'jp-mlstudio-gallery-card-problem', card.problem);
    problem.setAttribute('role', 'note');
    root.append(problem);
  }

  if (card.tags.length) {
    const tags = el('div', 'jp-mlstudio-gallery-card-tags');
    tags.append(...card.tags.map(t => renderTag(t, t === activeTag)));
    root.append(tags);
  }

  const byline = el('div', 'jp-mlstudio-gallery-card-byline');
  if (card.author) {
    byline.append(el('span', 'jp-mlstudio-gallery-card-author', card.author));
  }
  if (card.modified) {
    const date = el('time', 'jp-mlstudio-gallery-card-modified', card.modified);
    date.title = `Modified ${card.modifiedTitle}`;
    byline.append(date);
  }
  root.append(byline);

  const actions = el('footer', 'jp-mlstudio-gallery-card-actions');
  const unusable = card.usable ? '' : ' (not a valid notebook)';
  actions.append(
    actionButton(
      'preview',
      'Preview',
      `Preview “${card.title}”${unusable}`,
      busy || !card.usable
    ),
    actionButton(
      'use',
      'Use',
      `Copy “${card.title}” to your workspace and open it${unusable}`,
      busy || !card.usable,
      'accept'
    )
  );
  if (card.showReview) {
    actions.append(
      actionButton(
        'approve',
        'Approve',
        'Approve: move it to the reviewed examples',
        busy
      ),
      actionButton('reject', 'Reject', 'Reject: delete this submission', busy)
    );
  }
  if (card.showDelete) {
    actions.append(
      actionButton('delete', 'Delete', 'Delete this submission', busy, 'warn')
    );
  }
  root.append(actions);
  return root;
}
