/**
 * Paging through a list the server pages with `NextToken`: the token of each
 * page seen so far, so "Previous" goes back without the server's help.
 */

/** The paging state of a server-side paged list: the token of each page seen so far. */
export class PageTokens {
  /** The token that fetches the current page (null: the first). */
  get current(): string | null {
    return this._tokens[this._index];
  }

  /** The current page, from 0. */
  get index(): number {
    return this._index;
  }

  get hasPrevious(): boolean {
    return this._index > 0;
  }

  get hasNext(): boolean {
    return this._next !== null;
  }

  /** The reply to the current page said what comes after it. */
  received(nextToken: string | null | undefined): void {
    this._next = nextToken ?? null;
    this._tokens.length = this._index + 1;
  }

  /** Move to the next page; false when there is none. */
  forward(): boolean {
    if (this._next === null) {
      return false;
    }
    this._tokens.push(this._next);
    this._index++;
    this._next = null;
    return true;
  }

  /** Move to the previous page; false on the first. */
  back(): boolean {
    if (this._index === 0) {
      return false;
    }
    this._index--;
    this._next = null;
    return true;
  }

  /** Back to the first page (a new order or filter). */
  reset(): void {
    this._tokens = [null];
    this._index = 0;
    this._next = null;
  }

  private _tokens: (string | null)[] = [null];
  private _index = 0;
  private _next: string | null = null;
}
