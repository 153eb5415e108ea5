import { imageType, isOpenable, previewKind, pyString, pythonSnippet } from '../src/s3/filetypes';

describe('file kinds', () => {
  it('opens notebooks, text, CSV, JSON, Python and Markdown in JupyterLab', () => {
    for (const key of ['n.ipynb', 'a.txt', 'd.csv', 'c.json', 's.py', 'r.md', 'UP.CSV']) {
      expect(isOpenable(`dir/${key}`)).toBe(true);
    }
    expect(isOpenable('m.parquet')).toBe(false);
    expect(isOpenable('dir/')).toBe(false);
  });

  it('previews text, tables, JSON and images', () => {
    expect(previewKind('a.csv')).toBe('csv');
    expect(previewKind('a.tsv')).toBe('csv');
    expect(previewKind('a.jsonl')).toBe('json');
    expect(previewKind('a.png')).toBe('image');
    expect(previewKind('a.py')).toBe('text');
    expect(previewKind('x/Dockerfile')).toBe('text');
    expect(previewKind('a.parquet')).toBeNull();
    expect(previewKind('a.csv/')).toBeNull();
    expect(imageType('p.JPG')).toBe('image/jpeg');
    expect(imageType('p.csv')).toBeNull();
  });
});

describe('pythonSnippet', () => {
  it('reads CSV with pandas from get_object', () => {
    const code = pythonSnippet('mlstudio', 'data/iris.csv');
    expect(code).toContain('s3 = boto3.client("s3")');
    expect(code).toContain('obj = s3.get_object(Bucket="mlstudio", Key="data/iris.csv")');
    expect(code).toContain('df = pd.read_csv(body)');
    expect(code).toContain('import pandas as pd');
    expect(code.startsWith('# s3://mlstudio/data/iris.csv\n')).toBe(true);
  });

  it('chooses the pandas reader by extension', () => {
    expect(pythonSnippet('b', 'x.json')).toContain('pd.read_json(body)');
    expect(pythonSnippet('b', 'x.jsonl')).toContain('pd.read_json(body, lines=True)');
    expect(pythonSnippet('b', 'x.parquet')).toContain('pd.read_parquet(body)');
    expect(pythonSnippet('b', 'x.tsv')).toContain('pd.read_csv(body, sep="\\t")');
    expect(pythonSnippet('b', 'x.csv.gz')).toContain('pd.read_csv(body, compression="gzip")');
  });

  it('reads other objects as bytes, without pandas', () => {
    const code = pythonSnippet('b', 'model.tar.gz');
    expect(code).toContain('data = obj["Body"].read()');
    expect(code).not.toContain('pandas');
  });

  it('quotes keys safely', () => {
    expect(pyString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(pythonSnippet('b', 'we"ird.csv')).toContain('Key="we\\"ird.csv"');
  });
});
