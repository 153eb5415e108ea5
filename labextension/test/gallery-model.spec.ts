import { GalleryModel } from '../src/gallery/model';
import { APIError } from '../src/reply';
import type {
  IListReply,
  IReviewReply,
  IValidationRun
} from '../src/gallery/types';
import { example, listReply, run } from './gallery-fixtures';

/** A request double: list replies by path, recorded calls. */
function fakeRequests(lists: (path: string) => Promise<IListReply>) {
  return {
    list: jest.fn(lists),
    review: jest.fn(async (): Promise<IReviewReply> => ({
      action: 'rejected',
      id: 'x'
    })),
    remove: jest.fn(async () => undefined),
    startValidation: jest.fn(async (): Promise<IValidationRun> => run()),
    validation: jest.fn(async (): Promise<IValidationRun> => run())
  };
}

const a = example({ id: 'a', title: 'A' });
const b = example({ id: 'b', title: 'B', reviewed: false });
const c = example({ id: 'c', title: 'C' });

describe('GalleryModel', () => {
  it('loads the first page and notifies listeners', async () => {
    const requests = fakeRequests(async () => listReply([a, b]));
    const model = new GalleryModel(requests);
    const seen: string[] = [];
    model.subscribe(s => seen.push(s.loading));
    await model.reload();
    expect(requests.list).toHaveBeenCalledWith('examples?max_results=48');
    expect(model.state).toMatchObject({
      loaded: true,
      total: 2,
      loading: 'idle',
      error: ''
    });
    expect(model.cards().map(x => x.id)).toEqual(['a', 'b']);
    expect(seen).toEqual(['loading', 'idle']);
  });

  it('keeps the error message of a failed listing', async () => {
    const model = new GalleryModel(
      fakeRequests(async () => {
        throw new APIError('only reviewers may list', 403, 'Forbidden');
      })
    );
    await model.reload();
    expect(model.state.error).toBe('only reviewers may list');
    expect(model.state.loading).toBe('idle');
  });

  it('appends the next page with next_token', async () => {
    const requests = fakeRequests(async path =>
      path.includes('next_token=2')
        ? listReply([c], { total: 3 })
        : listReply([a, b], { total: 3, next_token: '2' })
    );
    const model = new GalleryModel(requests);
    await model.reload();
    expect(model.state.nextToken).toBe('2');
    await model.loadMore();
    expect(requests.list).toHaveBeenLastCalledWith(
      'examples?max_results=48&next_token=2'
    );
    expect(model.state.examples.map(e => e.id)).toEqual(['a', 'b', 'c']);
    expect(model.state.nextToken).toBeNull();
    await model.loadMore(); // nothing more
    expect(requests.list).toHaveBeenCalledTimes(2);
  });

  it('drops a reply overtaken by a newer query', async () => {
    const resolvers: ((r: IListReply) => void)[] = [];
    const requests = fakeRequests(
      () => new Promise<IListReply>(resolve => resolvers.push(resolve))
    );
    const model = new GalleryModel(requests);
    const first = model.setQuery({ q: 's3' });
    const second = model.setQuery({ q: 'magics' });
    resolvers[1](listReply([a]));
    await second;
    resolvers[0](listReply([a, b, c]));
    await first;
    expect(model.state.query.q).toBe('magics');
    expect(model.state.examples.map(e => e.id)).toEqual(['a']);
  });

  it('does not list again for an unchanged query', async () => {
    const requests = fakeRequests(async () => listReply([a]));
    const model = new GalleryModel(requests);
    await model.setQuery({ tag: 's3' });
    await model.setQuery({ tag: 's3' });
    expect(requests.list).toHaveBeenCalledTimes(1);
    expect(requests.list).toHaveBeenCalledWith(
      'examples?tag=s3&max_results=48'
    );
  });

  it('hides review buttons after NotAReviewer and rethrows', async () => {
    const requests = fakeRequests(async () => listReply([a, b]));
    requests.review.mockRejectedValue(
      new APIError('only reviewers may review examples', 403, 'NotAReviewer')
    );
    const model = new GalleryModel(requests);
    await model.reload();
    expect(model.cards()[1].showReview).toBe(true);
    await expect(model.review('b', 'approve')).rejects.toThrow(
      'only reviewers'
    );
    expect(model.state.reviewer).toBe(false);
    expect(model.cards()[1].showReview).toBe(false);
  });

  it('replaces an approved example and drops a rejected or deleted one', async () => {
    const approved = example({ id: 'b2', title: 'B', reviewed: true });
    const requests = fakeRequests(async () => listReply([a, b, c]));
    requests.review.mockResolvedValueOnce({
      action: 'approved',
      example: approved
    });
    const model = new GalleryModel(requests);
    await model.reload();
    await model.review('b', 'approve');
    expect(model.state.examples.map(e => e.id)).toEqual(['a', 'b2', 'c']);
    await model.review('b2', 'reject');
    await model.remove('c');
    expect(requests.remove).toHaveBeenCalledWith('c');
    expect(model.state.examples.map(e => e.id)).toEqual(['a']);
    expect(model.state.total).toBe(1);
  });

  it('validates all and puts the results on the badges', async () => {
    const requests = fakeRequests(async () => listReply([a, b]));
    requests.startValidation.mockResolvedValue(run({ total: 2 }));
    requests.validation
      .mockResolvedValueOnce(
        run({
          done: 1,
          results: [
            { id: 'a', title: 'A', status: 'passing', duration: 2, error: null }
          ]
        })
      )
      .mockResolvedValueOnce(
        run({
          status: 'Completed',
          done: 2,
          results: [
            {
              id: 'a',
              title: 'A',
              status: 'passing',
              duration: 2,
              error: null
            },
            {
              id: 'b',
              title: 'B',
              status: 'failing',
              duration: 1,
              error: 'ZeroDivisionError'
            }
          ]
        })
      );
    const model = new GalleryModel(requests, { sleep: async () => undefined });
    await model.reload();
    const dones: number[] = [];
    model.subscribe(s => s.validation && dones.push(s.validation.done));
    const validating = model.validateAll();
    expect(model.validating).toBe(true);
    await model.validateAll(); // a second click joins nothing
    expect(requests.startValidation).toHaveBeenCalledTimes(1);
    await validating;
    expect(model.validating).toBe(false);
    expect(dones).toContain(1);
    expect(model.state.validation?.status).toBe('Completed');
    const badges = model.cards().map(card => card.badge);
    expect(badges.map(x => x.status)).toEqual(['passing', 'failing']);
    expect(badges[1].tooltip).toBe('ZeroDivisionError');
  });

  it('reports a validation run it cannot follow', async () => {
    const requests = fakeRequests(async () => listReply([a]));
    requests.startValidation.mockRejectedValue(new APIError('no kernel', 500));
    const model = new GalleryModel(requests);
    await model.validateAll();
    expect(model.state.validationError).toBe('no kernel');
  });
});
