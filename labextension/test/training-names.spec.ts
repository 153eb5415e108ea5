import { jobNameError, nameBase, uniqueJobName } from '../src/training/names';

describe('job names', () => {
  it.each([
    ['train-1', null],
    ['a', null],
    ['a--b', null],
    ['', /Enter/],
    ['-a', /start and end/],
    ['a-', /start and end/],
    ['a_b', /letters, digits and hyphens/],
    ['a'.repeat(64), /63/]
  ])('%p', (name, error) => {
    const result = jobNameError(name);
    if (error === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toMatch(error);
    }
  });

  it('makes unique names that are always valid', () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    expect(uniqueJobName('train.py', date)).toBe('train-2024-01-02-03-04-05-006');
    expect(uniqueJobName('dir/My Model_v2.py', date)).toBe('My-Model-v2-2024-01-02-03-04-05-006');
    expect(uniqueJobName('old-2023-01-01-00-00-00-000', date)).toBe('old-2024-01-02-03-04-05-006');
    expect(uniqueJobName('___', date)).toBe('training-2024-01-02-03-04-05-006');
    const long = uniqueJobName('x'.repeat(100), date);
    expect(long).toHaveLength(63);
    expect(jobNameError(long)).toBeNull();
    expect(nameBase('a--b.py')).toBe('a-b');
  });
});
