import { sectionIndex } from '../src/sections';

describe('sectionIndex', () => {
  it('puts a section after lower and equal ranks, before higher ones', () => {
    expect(sectionIndex([], 500)).toBe(0);
    expect(sectionIndex([0, 500, 500, 900], 500)).toBe(3);
    expect(sectionIndex([0, 500, 900], 100)).toBe(1);
    expect(sectionIndex([0, 500, 900], -1)).toBe(0);
    expect(sectionIndex([0, 500, 900], 1000)).toBe(3);
  });
});
