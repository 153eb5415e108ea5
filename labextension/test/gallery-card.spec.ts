import {
  cardModel,
  formatDate,
  kernelLabel,
  mostRecent
} from '../src/gallery/card';
import { countsText } from '../src/gallery/counts';
import { example, listReply } from './gallery-fixtures';

describe('cardModel', () => {
  it('carries what the card shows', () => {
    const card = cardModel(example({ author: 'ana' }));
    expect(card).toMatchObject({
      id: 'YnVpbHRpbgpkYXRhL3MzLW1hZ2ljcy5pcHluYg',
      title: 'S3 from notebook magics',
      category: 'data',
      tags: ['s3', 'magics'],
      kernelLabel: 'Python · python3',
      author: 'ana',
      reviewed: true,
      usable: true,
      problem: '',
      showReview: false,
      showDelete: false
    });
    expect(card.modified).toMatch(/^2026-11-2[789]$/);
    expect(card.badge.status).toBe('not-run');
  });

  it('offers review and delete for unreviewed examples', () => {
    const card = cardModel(example({ reviewed: false }));
    expect(card.showReview).toBe(true);
    expect(card.showDelete).toBe(true);
  });

  it('hides review once the server said the user is not a reviewer', () => {
    const card = cardModel(example({ reviewed: false }), { reviewer: false });
    expect(card.showReview).toBe(false);
    expect(card.showDelete).toBe(true);
  });

  it('marks an invalid notebook as not usable, with the reason', () => {
    const card = cardModel(
      example({
        valid: false,
        error: 'not valid JSON',
        validation: { status: 'invalid', error: 'not valid JSON' }
      })
    );
    expect(card.usable).toBe(false);
    expect(card.problem).toBe('not valid JSON');
    expect(card.badge.status).toBe('invalid');
  });

  it('falls back to the file name for a missing title', () => {
    expect(cardModel(example({ title: '' })).title).toBe('s3-magics.ipynb');
  });
});

describe('kernelLabel / formatDate / mostRecent', () => {
  it('labels language and kernel without repeating', () => {
    expect(kernelLabel('R', 'ir')).toBe('R · ir');
    expect(kernelLabel('python', 'Python')).toBe('Python');
    expect(kernelLabel('', 'scala')).toBe('scala');
    expect(kernelLabel('julia', '')).toBe('Julia');
  });

  it('gives an empty date for an unreadable time', () => {
    expect(formatDate('')).toBe('');
    expect(formatDate('yesterday')).toBe('');
  });

  it('picks the newest examples first', () => {
    const a = example({ id: 'a', modified: '2026-01-01T00:00:00Z' });
    const b = example({ id: 'b', modified: '2026-03-01T00:00:00Z' });
    const c = example({ id: 'c', modified: 'garbage' });
    const d = example({ id: 'd', modified: '2026-02-01T00:00:00Z' });
    expect(mostRecent([a, b, c, d], 3).map(e => e.id)).toEqual(['b', 'd', 'a']);
  });
});

describe('countsText', () => {
  it('counts examples, those awaiting review and failing ones', () => {
    expect(countsText(listReply([example()]))).toBe('1 example');
    expect(
      countsText(
        listReply([
          example({ id: 'a', reviewed: false }),
          example({ id: 'b', validation: { status: 'failing', error: 'x' } }),
          example({ id: 'c' })
        ])
      )
    ).toBe('3 examples · 1 awaiting review · 1 failing');
  });
});
