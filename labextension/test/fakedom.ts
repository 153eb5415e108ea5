/**
 * Just enough of the DOM, and of Lumino's Widget, for the logic of the
 * shared widget bases (jest runs in node, without a browser DOM). A spec
 * calls `installFakeDocument()` and, where a module builds widgets, mocks
 * Lumino with
 *
 *   jest.mock('@lumino/widgets', () => ({ Widget: require('./fakedom').FakeWidget }));
 */

/** An element: classes, data attributes, attributes, text and children. */
export class FakeElement {
  constructor(readonly tagName: string) {}

  className = '';
  textContent = '';
  title = '';
  hidden = false;
  disabled = false;
  tabIndex = 0;
  type = '';
  readonly dataset: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  parentElement: FakeElement | null = null;

  /** The element children, in order. */
  get children(): FakeElement[] {
    return this._children;
  }

  get lastElementChild(): FakeElement | null {
    return this._children[this._children.length - 1] ?? null;
  }

  get classList(): { add: (c: string) => void; contains: (c: string) => boolean; toggle: (c: string, on?: boolean) => void } {
    const names = (): string[] => this.className.split(/\s+/).filter(Boolean);
    const set = (list: string[]): void => {
      this.className = list.join(' ');
    };
    return {
      add: c => set(names().includes(c) ? names() : [...names(), c]),
      contains: c => names().includes(c),
      toggle: (c, on = !names().includes(c)) => set(on ? [...names().filter(n => n !== c), c] : names().filter(n => n !== c))
    };
  }

  setAttribute(name: string, value: string): void {
    this._attributes.set(name, String(value));
  }

  getAttribute(name: string): string | null {
    return this._attributes.get(name) ?? null;
  }

  addEventListener(): void {
    // Events are not simulated.
  }

  append(...nodes: FakeElement[]): void {
    for (const node of nodes) {
      this.insertBefore(node, null);
    }
  }

  insertBefore(node: FakeElement, ref: FakeElement | null): FakeElement {
    node.remove();
    const index = ref ? this._children.indexOf(ref) : -1;
    this._children.splice(index < 0 ? this._children.length : index, 0, node);
    node.parentElement = this;
    return node;
  }

  replaceChildren(...nodes: FakeElement[]): void {
    for (const child of [...this._children]) {
      child.remove();
    }
    this.append(...nodes);
  }

  replaceWith(node: FakeElement): void {
    const parent = this.parentElement;
    if (parent) {
      parent.insertBefore(node, this);
      this.remove();
    }
  }

  remove(): void {
    const parent = this.parentElement;
    if (parent) {
      parent._children.splice(parent._children.indexOf(this), 1);
      this.parentElement = null;
    }
  }

  private readonly _children: FakeElement[] = [];
  private readonly _attributes = new Map<string, string>();
}

/** Make `document.createElement` build `FakeElement`s. */
export function installFakeDocument(): void {
  (globalThis as { document?: unknown }).document = {
    createElement: (tag: string) => new FakeElement(tag)
  };
}

/** Remove the fake `document`. */
export function removeFakeDocument(): void {
  delete (globalThis as { document?: unknown }).document;
}

/** Lumino's Widget as far as the bases use it; `isVisible` is set by the test. */
export class FakeWidget {
  readonly node = new FakeElement('div');
  readonly title = { label: '', caption: '' };
  isVisible = false;
  isDisposed = false;

  addClass(name: string): void {
    this.node.classList.add(name);
  }

  dispose(): void {
    this.isDisposed = true;
  }

  protected onAfterAttach(_msg: unknown): void {
    // Lumino's hooks do nothing by default.
  }

  protected onBeforeDetach(_msg: unknown): void {
    // idem
  }

  protected onAfterShow(_msg: unknown): void {
    // idem
  }

  protected onAfterHide(_msg: unknown): void {
    // idem
  }

  protected onActivateRequest(_msg: unknown): void {
    // idem
  }
}
