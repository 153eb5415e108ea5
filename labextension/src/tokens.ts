/**
 * The `IMLStudio` service: the sidebar that every ML Studio feature adds its
 * section to.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import type { StatusState } from './status';

/** The ML Studio sidebar as other plugins see it. */
export interface IMLStudio {
  /**
   * Add a collapsible section to the sidebar's accordion.
   *
   * The widget's `title.label` is the section heading; a widget with a
   * `toolbar` property shows that toolbar in the heading. Sections are ordered
   * by rank (lower first; equal ranks keep the order they were added in).
   */
  addSection(widget: Widget, options?: IMLStudio.ISectionOptions): void;

  /** Fetch the server status now; resolves once the panel shows the result. */
  refreshStatus(): Promise<void>;

  /** The latest status (a request failure is a state too, never a rejection). */
  readonly status: StatusState;

  /** Emitted with the new state whenever the status changes. */
  readonly statusChanged: ISignal<IMLStudio, StatusState>;
}

/** Types that go with `IMLStudio`. */
export namespace IMLStudio {
  /** Where a section goes. */
  export interface ISectionOptions {
    /** Position among sections, lower first; default `DEFAULT_SECTION_RANK`. */
    rank?: number;
  }
}

/** Rank of a section added without one. The overview section has rank 0. */
export const DEFAULT_SECTION_RANK = 500;

/** The token of the ML Studio sidebar service. */
export const IMLStudio = new Token<IMLStudio>(
  '@jupyter-mlstudio:IMLStudio',
  'The ML Studio sidebar: add sections to it, read and refresh the server status.'
);
