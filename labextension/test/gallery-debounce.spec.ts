import { debounce } from '../src/gallery/debounce';
import { stripScripts } from '../src/gallery/html';

describe('debounce', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs once, with the last arguments, after a quiet period', () => {
    const fn = jest.fn();
    const search = debounce(fn, 300);
    search('m');
    jest.advanceTimersByTime(200);
    search('ma');
    search('magics');
    jest.advanceTimersByTime(299);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith('magics');
  });

  it('can run a pending call now or drop it', () => {
    const fn = jest.fn();
    const search = debounce(fn, 300);
    search('a');
    search.flush();
    expect(fn).toHaveBeenCalledWith('a');
    search('b');
    search.cancel();
    jest.advanceTimersByTime(1000);
    search.flush();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('stripScripts', () => {
  it('removes script elements and keeps the rest', () => {
    const html =
      '<html><head><script src="https://cdn/require.js"></script>' +
      '<SCRIPT type="text/x-mathjax-config">\nMathJax.Hub.Config({});\n</SCRIPT><style>h1{}</style></head>' +
      '<body><h1 id="t">Title</h1><script type="module">alert(1)</script ></body></html>';
    const out = stripScripts(html);
    expect(out).not.toMatch(/script/i);
    expect(out).toContain('<style>h1{}</style>');
    expect(out).toContain('<h1 id="t">Title</h1>');
  });
});
