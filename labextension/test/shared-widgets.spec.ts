/**
 * The shared bases of the sidebar sections (FetchedSection, PolledSection)
 * and of the resource views (ResourceView), and the row placement they use,
 * on a fake DOM with Lumino's Widget and the toolbar replaced by stand-ins.
 */
jest.mock('@lumino/widgets', () => ({ Widget: require('./fakedom').FakeWidget }));
jest.mock('@jupyterlab/ui-components', () => ({
  refreshIcon: { name: 'refresh' },
  Toolbar: class {
    items: [string, unknown][] = [];
    disposed = false;
    addItem(name: string, item: unknown): void {
      this.items.push([name, item]);
    }
    dispose(): void {
      this.disposed = true;
    }
  },
  ToolbarButton: class {
    constructor(readonly props: { tooltip: string; className?: string; onClick: () => void }) {}
  }
}));

import { Signal } from '@lumino/signaling';

import { APIError } from '../src/reply';
import { placeChildren } from '../src/sidebar/dom';
import { FetchedSection, PolledSection } from '../src/sidebar/section';
import { ResourceView } from '../src/training/resourceview';
import { FakeElement, installFakeDocument, removeFakeDocument } from './fakedom';

const flush = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 0));

/** The toolbar stand-in's items. */
function toolbarItems(section: { toolbar: unknown }): [string, { props: { tooltip: string; className?: string; onClick: () => void } }][] {
  return (section.toolbar as unknown as { items: [string, { props: { tooltip: string; className?: string; onClick: () => void } }][] }).items;
}

beforeEach(() => installFakeDocument());
afterEach(() => removeFakeDocument());

describe('placeChildren', () => {
  const parent = (...names: string[]): FakeElement => {
    const node = new FakeElement('ul');
    node.append(...names.map(name => Object.assign(new FakeElement('li'), { title: name })));
    return node;
  };
  const names = (node: FakeElement): string[] => node.children.map(c => c.title);

  it('orders the rows, keeping those in place and dropping the rest', () => {
    const list = parent('a', 'b', 'c', 'd');
    const [a, b, c] = list.children;
    const fresh = Object.assign(new FakeElement('li'), { title: 'e' });
    const moves = jest.spyOn(list, 'insertBefore');
    placeChildren(list as unknown as Element, [a, fresh, c, b] as unknown as Element[]);
    expect(names(list)).toEqual(['a', 'e', 'c', 'b']);
    // `a` was in place: never re-inserted (a focused row would blur).
    expect(moves.mock.calls.map(call => call[0].title)).not.toContain('a');
  });

  it('empties a list for no rows', () => {
    const list = parent('a', 'b');
    placeChildren(list as unknown as Element, []);
    expect(names(list)).toEqual([]);
  });
});

/** A fetched section whose replies the test settles. */
class Fetched extends FetchedSection<string> {
  constructor() {
    super({ className: 'jp-test-section', label: 'Test', caption: 'A test section', refreshTooltip: 'Refresh the tests', refreshClassName: 'jp-test-refresh' });
  }

  readonly pending: { resolve: (reply: string) => void; reject: (error: unknown) => void }[] = [];
  readonly shown: string[] = [];
  readonly errors: string[] = [];

  protected fetch(): Promise<string> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  protected render(reply: string): void {
    this.shown.push(reply);
  }

  protected renderError(message: string): void {
    this.errors.push(message);
  }
}

describe('FetchedSection', () => {
  it('presents itself and has a Refresh button that fetches', () => {
    const section = new Fetched();
    expect(section.node.className).toContain('jp-test-section');
    expect(section.title.label).toBe('Test');
    expect(section.title.caption).toBe('A test section');
    const [[name, button]] = toolbarItems(section);
    expect(name).toBe('refresh');
    expect(button.props.tooltip).toBe('Refresh the tests');
    expect(button.props.className).toBe('jp-test-refresh');
    button.props.onClick();
    expect(section.pending).toHaveLength(1);
    expect(section.node.dataset.state).toBe('loading');
  });

  it('shows only the answer to the latest request', async () => {
    const section = new Fetched();
    const first = section.refresh();
    const second = section.refresh();
    section.pending[1].resolve('new');
    await second;
    section.pending[0].resolve('old');
    await first;
    expect(section.shown).toEqual(['new']);
    expect(section.node.dataset.state).toBe('loaded');
  });

  it('says why a request failed', async () => {
    const section = new Fetched();
    const done = section.refresh();
    section.pending[0].reject(new Error('server down'));
    await done;
    expect(section.errors).toEqual(['server down']);
    expect(section.node.dataset.state).toBe('error');
  });

  it('fetches each time it is shown, and not once disposed', async () => {
    const section = new Fetched();
    (section as unknown as { onAfterShow: (msg: unknown) => void }).onAfterShow({});
    expect(section.pending).toHaveLength(1);
    section.dispose();
    section.pending[0].resolve('late');
    await flush();
    expect(section.shown).toEqual([]);
    expect((section.toolbar as unknown as { disposed: boolean }).disposed).toBe(true);
  });
});

/** A polled section counting its loads, told of changes by `changed`. */
class Polled extends PolledSection {
  constructor() {
    super({ className: 'jp-test-polled', label: 'Polled', caption: '', refreshTooltip: 'Refresh', interval: 1000 });
  }

  readonly changed = new Signal<this, void>(this);
  loads = 0;

  protected async load(): Promise<void> {
    this.loads++;
  }

  protected changeSignals(): Signal<this, void>[] {
    return [this.changed];
  }
}

type Hooks = { [hook in 'onAfterAttach' | 'onBeforeDetach' | 'onAfterShow' | 'onAfterHide']: (msg: unknown) => void };

describe('PolledSection', () => {
  it('reloads on a change made elsewhere while attached and shown', async () => {
    const section = new Polled();
    const hooks = section as unknown as Hooks;
    hooks.onAfterAttach({});
    section.changed.emit();
    await flush();
    expect(section.loads).toBe(0);
    (section as unknown as { isVisible: boolean }).isVisible = true;
    section.changed.emit();
    await flush();
    expect(section.loads).toBe(1);
    hooks.onBeforeDetach({});
    section.changed.emit();
    await flush();
    expect(section.loads).toBe(1);
    section.dispose();
  });

  it('polls while shown only', async () => {
    jest.useFakeTimers();
    try {
      const section = new Polled();
      const hooks = section as unknown as Hooks;
      hooks.onAfterShow({});
      await jest.advanceTimersByTimeAsync(0);
      expect(section.loads).toBe(1);
      await jest.advanceTimersByTimeAsync(1000);
      expect(section.loads).toBe(2);
      hooks.onAfterHide({});
      await jest.advanceTimersByTimeAsync(5000);
      expect(section.loads).toBe(2);
      section.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});

const deleted = jest.fn();

/** A resource view with its protected helpers opened up. */
class View extends ResourceView {
  constructor() {
    super({ name: 'job-1', kind: 'training job', noun: 'job', interval: 1000, className: 'jp-test-view', deleted });
    this.header.append(this.badgeNode);
  }

  readonly header = new FakeElement('header') as unknown as HTMLElement;
  loads = 0;

  protected async load(): Promise<void> {
    this.loads++;
  }

  get messageText(): string {
    return this.message.hidden ? '' : this.message.textContent ?? '';
  }

  get isGone(): boolean {
    return this.gone;
  }

  describe<T>(fetch: () => Promise<T>): Promise<T | null> {
    return this.fetchDescription(fetch);
  }

  failLoad(error: unknown): boolean {
    return this.loadFailed(error);
  }

  run(verb: string, action: () => Promise<unknown>, button?: HTMLButtonElement): Promise<void> {
    return this.act(verb, action, button);
  }

  remove(confirm: () => Promise<boolean>): Promise<void> {
    return this.deleteWith(confirm);
  }

  status(status: string): void {
    this.showStatus(status);
  }
}

describe('ResourceView', () => {
  beforeEach(() => deleted.mockReset());

  it('starts loading, with a hidden alert line', () => {
    const view = new View();
    expect(view.node.className).toBe('jp-mlstudio-training-view jp-test-view');
    expect(view.node.dataset.status).toBe('loading');
    expect(view.name).toBe('job-1');
    expect(view.messageText).toBe('');
  });

  it('marks a resource that is gone as missing and stops polling', async () => {
    const view = new View();
    expect(view.failLoad(new APIError('not found', 404))).toBe(true);
    expect(view.node.dataset.status).toBe('missing');
    expect(view.messageText).toBe('There is no training job named “job-1” (it may have been deleted).');
    expect(view.isGone).toBe(true);
    (view as unknown as Hooks).onAfterShow({});
    await flush();
    expect(view.loads).toBe(0);
  });

  it('says why other loads failed, and goes on', () => {
    const view = new View();
    expect(view.failLoad(new Error('timeout'))).toBe(false);
    expect(view.messageText).toBe('Could not load the job: timeout');
    expect(view.node.dataset.status).toBe('loading');
  });

  it('fetches a description, clearing the message, or says why not', async () => {
    const view = new View();
    expect(await view.describe(async () => Promise.reject(new Error('busy')))).toBeNull();
    expect(view.messageText).toBe('Could not load the job: busy');
    expect(await view.describe(async () => ({ status: 'InProgress' }))).toEqual({ status: 'InProgress' });
    expect(view.messageText).toBe('');
    view.dispose();
    expect(await view.describe(async () => ({ status: 'Completed' }))).toBeNull();
  });

  it('disables the button while an action runs and reports its failure', async () => {
    const view = new View();
    const button = new FakeElement('button') as unknown as HTMLButtonElement;
    let disabledMeanwhile = false;
    await view.run(
      'stop',
      async () => {
        disabledMeanwhile = button.disabled;
        throw new Error('not allowed');
      },
      button
    );
    expect(disabledMeanwhile).toBe(true);
    expect(button.disabled).toBe(false);
    expect(view.messageText).toBe('Could not stop the job: not allowed');
  });

  it('closes after a confirmed delete only', async () => {
    const view = new View();
    await view.remove(async () => false);
    expect(deleted).not.toHaveBeenCalled();
    expect(view.isGone).toBe(false);
    await view.remove(async () => {
      throw new Error('conflict');
    });
    expect(view.messageText).toBe('Could not delete the job: conflict');
    await view.remove(async () => true);
    expect(deleted).toHaveBeenCalledTimes(1);
    expect(view.isGone).toBe(true);
  });

  it('shows the status in data-status and a badge replaced only on change', () => {
    const view = new View();
    const header = view.header as unknown as FakeElement;
    view.status('InProgress');
    const badge = header.children[0];
    expect(view.node.dataset.status).toBe('InProgress');
    expect(badge.dataset.status).toBe('InProgress');
    view.status('InProgress');
    expect(header.children[0]).toBe(badge);
    view.status('Completed');
    expect(header.children).toHaveLength(1);
    expect(header.children[0].dataset.status).toBe('Completed');
  });
});
