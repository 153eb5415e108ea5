import {
  buildInstallRequest,
  checkInstallForm,
  fieldFor,
  initialForm,
  optionLabel,
  optionValue
} from '../src/kernels/form';
import type { IKernelKind, IKindOption } from '../src/kernels/types';

function option(patch: Partial<IKindOption>): IKindOption {
  return { name: 'opt', type: 'string', help: 'Help', default: null, choices: [], ...patch };
}

function kind(options: IKindOption[]): IKernelKind {
  return {
    kind: 'r',
    label: 'R',
    language: 'R',
    description: 'R via IRkernel',
    available: true,
    message: '',
    default_name: 'ir',
    default_display_name: 'R',
    options,
    busy: false
  };
}

describe('fieldFor', () => {
  it('maps each option type to its control', () => {
    expect(fieldFor(option({ type: 'string', default: 'x' }))).toMatchObject({
      control: 'input',
      value: 'x'
    });
    expect(fieldFor(option({ type: 'string' })).value).toBe('');
    expect(fieldFor(option({ type: 'text', default: 'a\nb' }))).toMatchObject({
      control: 'textarea',
      value: 'a\nb'
    });
    expect(fieldFor(option({ type: 'list', default: ['a', 'b'] }))).toMatchObject({
      control: 'textarea',
      value: 'a\nb',
      hint: 'One per line.'
    });
    expect(fieldFor(option({ type: 'bool', default: true }))).toMatchObject({
      control: 'checkbox',
      value: true
    });
    expect(fieldFor(option({ type: 'bool' })).value).toBe(false);
  });

  it('picks the default choice, else the first', () => {
    const choices = ['auto', 'venv', 'conda'];
    expect(fieldFor(option({ type: 'choice', choices, default: 'venv' }))).toMatchObject({
      control: 'select',
      value: 'venv',
      choices
    });
    expect(fieldFor(option({ type: 'choice', choices, default: 'nope' })).value).toBe('auto');
    expect(fieldFor(option({ type: 'choice', choices: [] })).value).toBe('');
  });

  it('treats an unknown type as a string', () => {
    expect(fieldFor(option({ type: 'weird' as never, default: 3 }))).toMatchObject({
      control: 'input',
      value: '3'
    });
  });

  it('labels options readably', () => {
    expect(optionLabel('cran_mirror')).toBe('Cran mirror');
    expect(optionLabel('packages')).toBe('Packages');
  });
});

describe('optionValue', () => {
  it('converts raw control values to the option type', () => {
    expect(optionValue(option({ type: 'list' }), ' a \n\nb\r\n')).toEqual(['a', 'b']);
    expect(optionValue(option({ type: 'list' }), '')).toEqual([]);
    expect(optionValue(option({ type: 'bool' }), true)).toBe(true);
    expect(optionValue(option({ type: 'bool' }), false)).toBe(false);
    expect(optionValue(option({ type: 'string' }), '  x ')).toBe('x');
    expect(optionValue(option({ type: 'text' }), ' x\n')).toBe(' x\n');
    expect(optionValue(option({ type: 'choice' }), 'venv')).toBe('venv');
  });
});

describe('buildInstallRequest', () => {
  const k = kind([
    option({ name: 'packages', type: 'list', default: [] }),
    option({ name: 'upgrade', type: 'bool', default: false }),
    option({ name: 'manager', type: 'choice', choices: ['auto', 'venv'], default: 'auto' })
  ]);

  it('starts from the kind defaults', () => {
    const form = initialForm(k);
    expect(form).toEqual({
      name: 'ir',
      display_name: 'R',
      replace: false,
      options: { packages: '', upgrade: false, manager: 'auto' }
    });
    expect(buildInstallRequest(k, form)).toEqual({
      kind: 'r',
      name: 'ir',
      display_name: 'R',
      options: { packages: [], upgrade: false, manager: 'auto' }
    });
  });

  it('leaves out empty names and adds replace only when asked', () => {
    const form = {
      name: '  ',
      display_name: '',
      replace: false,
      options: { packages: 'ggplot2\ndata.table', upgrade: true, manager: 'venv' }
    };
    expect(buildInstallRequest(k, form)).toEqual({
      kind: 'r',
      options: { packages: ['ggplot2', 'data.table'], upgrade: true, manager: 'venv' }
    });
    expect(buildInstallRequest(k, form, true).replace).toBe(true);
    expect(buildInstallRequest(k, { ...form, replace: true }).replace).toBe(true);
  });

  it('sends no options object for a kind without options', () => {
    const bare = kind([]);
    expect(buildInstallRequest(bare, { ...initialForm(bare), name: 'ir-test' })).toEqual({
      kind: 'r',
      name: 'ir-test',
      display_name: 'R'
    });
  });
});

describe('checkInstallForm', () => {
  const base = { name: '', display_name: '', replace: false, options: {} };
  it('accepts valid and empty names', () => {
    expect(checkInstallForm({ ...base, name: 'ir-test' })).toEqual({});
    expect(checkInstallForm({ ...base, name: 'py3.11_env' })).toEqual({});
    expect(checkInstallForm(base)).toEqual({});
  });
  it('refuses what the server refuses', () => {
    expect(checkInstallForm({ ...base, name: 'IR' }).name).toBeTruthy();
    expect(checkInstallForm({ ...base, name: '-x' }).name).toBeTruthy();
    expect(checkInstallForm({ ...base, name: 'a b' }).name).toBeTruthy();
    expect(checkInstallForm({ ...base, name: 'a'.repeat(65) }).name).toBeTruthy();
    expect(checkInstallForm({ ...base, name: 'installs' }).name).toMatch(/reserved/);
    expect(checkInstallForm({ ...base, display_name: 'x'.repeat(201) }).display_name).toBeTruthy();
  });
});
