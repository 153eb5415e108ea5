/**
 * A widget told when it starts and stops being seen, so it polls the server
 * only while visible (hidden tabs and collapsed sections hold no timers).
 */
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/** Calls `onShown` when attached visible or shown, `onHidden` when hidden or detached. */
export class VisibleWidget extends Widget {
  /** The widget became visible. */
  protected onShown(): void {
    // Subclasses start polling here.
  }

  /** The widget is no longer visible. */
  protected onHidden(): void {
    // Subclasses stop polling here.
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.onShown();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.onShown();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.onHidden();
  }

  protected onBeforeDetach(msg: Message): void {
    this.onHidden();
    super.onBeforeDetach(msg);
  }

  /** Activated (e.g. as a main-area tab): take the focus so keys reach it. */
  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.focus();
  }
}
