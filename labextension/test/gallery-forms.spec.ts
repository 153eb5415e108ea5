import {
  checkShareForm,
  checkUseForm,
  normaliseFolder,
  parseTags,
  shareFormDefaults,
  titleFromPath,
  useFormDefaults
} from '../src/gallery/forms';

describe('the Use form', () => {
  it('defaults to examples/ and the example file name', () => {
    expect(useFormDefaults({ name: 's3-magics.ipynb' })).toEqual({
      folder: 'examples',
      name: 's3-magics.ipynb',
      stripOutputs: false
    });
  });

  it('normalises the folder and adds .ipynb to the name', () => {
    expect(
      checkUseForm({ folder: ' /work//nb/ ', name: 'copy', stripOutputs: true })
    ).toEqual({
      ok: true,
      request: { folder: 'work/nb', name: 'copy.ipynb', strip_outputs: true }
    });
    expect(normaliseFolder('./a/./b\\c')).toBe('a/b/c');
  });

  it('allows the workspace root', () => {
    expect(
      checkUseForm({ folder: '', name: 'x.ipynb', stripOutputs: false })
    ).toMatchObject({
      ok: true,
      request: { folder: '' }
    });
  });

  it('rejects folders outside the workspace and bad names', () => {
    const checked = checkUseForm({
      folder: 'a/../../etc',
      name: '../x',
      stripOutputs: false
    });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(Object.keys(checked.errors).sort()).toEqual(['folder', 'name']);
    }
    expect(
      checkUseForm({ folder: 'x', name: '   ', stripOutputs: false }).ok
    ).toBe(false);
    expect(
      checkUseForm({ folder: 'x', name: '.hidden.ipynb', stripOutputs: false })
        .ok
    ).toBe(false);
  });
});

describe('the share form', () => {
  it('splits tags on commas, trims, drops empties and repeats', () => {
    expect(parseTags(' s3, pandas,, s3 ,tutorial ,')).toEqual([
      's3',
      'pandas',
      'tutorial'
    ]);
    expect(parseTags('')).toEqual([]);
  });

  it('suggests a title from the file name', () => {
    expect(titleFromPath('work/my_model--v2.ipynb')).toBe('My model v2');
    expect(shareFormDefaults('a.ipynb')).toEqual({
      title: 'A',
      summary: '',
      tags: '',
      category: ''
    });
  });

  it('builds the POST body of a valid form', () => {
    expect(
      checkShareForm(
        {
          title: ' Churn model ',
          summary: ' XGBoost on churn data ',
          tags: 'xgboost, churn',
          category: '/training/xgb/'
        },
        'work/churn.ipynb'
      )
    ).toEqual({
      ok: true,
      request: {
        path: 'work/churn.ipynb',
        title: 'Churn model',
        summary: 'XGBoost on churn data',
        tags: ['xgboost', 'churn'],
        category: 'training/xgb'
      }
    });
  });

  it('requires a title and enforces the limits', () => {
    const checked = checkShareForm(
      {
        title: '  ',
        summary: 'x'.repeat(2001),
        tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(','),
        category: 'a/../b'
      },
      'n.ipynb'
    );
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(Object.keys(checked.errors).sort()).toEqual([
        'category',
        'summary',
        'tags',
        'title'
      ]);
    }
  });

  it('accepts only notebooks', () => {
    const checked = checkShareForm(
      { title: 'x', summary: '', tags: '', category: '' },
      'data.csv'
    );
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.errors.path).toMatch(/notebooks/);
    }
  });
});
