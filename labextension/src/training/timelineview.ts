/**
 * The status timeline of a job view (`.jp-mlstudio-training-timeline`).
 */
import { el } from './dom';
import { timelineSteps } from './timeline';
import type { IStatusTransition } from './types';

/** Render the timeline into `node` (an `ol`). */
export function renderTimeline(node: HTMLElement, transitions: readonly IStatusTransition[] | undefined, now = Date.now()): void {
  const steps = timelineSteps(transitions, now);
  if (!steps.length) {
    node.replaceChildren(el('li', 'jp-mlstudio-training-muted', 'No status yet.'));
    return;
  }
  node.replaceChildren(
    ...steps.map(step => {
      const item = el('li', `jp-mlstudio-timeline-step jp-mlstudio-timeline-${step.tone}`);
      item.dataset.status = step.status;
      if (step.current) {
        item.setAttribute('aria-current', 'step');
      }
      if (step.waiting) {
        item.classList.add('jp-mlstudio-timeline-waiting');
      }
      const head = el('div', 'jp-mlstudio-timeline-head');
      head.append(
        el('span', 'jp-mlstudio-timeline-marker'),
        el('span', 'jp-mlstudio-timeline-status', step.status),
        el('span', 'jp-mlstudio-timeline-time', step.started),
        el('span', 'jp-mlstudio-timeline-duration', step.duration ? (step.current ? `${step.duration} so far` : step.duration) : '')
      );
      item.append(head);
      if (step.message) {
        item.append(el('div', 'jp-mlstudio-timeline-message', step.message));
      }
      return item;
    })
  );
}
