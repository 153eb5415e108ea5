/**
 * A tab of the endpoint view that fetches from the server every few seconds,
 * only while it shows.
 */
import { IntervalPoller } from '../poller';
import { el } from './dom';

/** A tab whose `fetch` runs every `interval` ms between `show()` and `hide()`. */
export abstract class PolledTab {
  constructor(interval: number) {
    this.poller = new IntervalPoller(() => this.fetch(), interval);
  }

  /** The tab's panel. */
  readonly node = el('div', 'jp-mlstudio-endpoints-tab');

  /** Start polling (the tab shows in a visible view). */
  show(): void {
    void this.poller.start();
  }

  /** Stop polling. */
  hide(): void {
    this.poller.stop();
  }

  dispose(): void {
    this.poller.stop();
  }

  /** One update from the server; reports its own errors. */
  protected abstract fetch(): Promise<void>;

  protected readonly poller: IntervalPoller;
}
