/**
 * The install form as data: which control each option gets, what the user
 * typed, and the request it becomes (no JupyterLab imports).
 */
import type { IInstallRequest, IKernelKind, IKindOption } from './types';

/** The control an option is edited with. */
export type ControlKind = 'input' | 'textarea' | 'select' | 'checkbox';

/** A form field made from an option. */
export interface IFieldSpec {
  /** The option's name (also the control's `name`). */
  name: string;
  /** A readable label, e.g. "Extra packages" from "extra_packages". */
  label: string;
  control: ControlKind;
  /** Initial value: text for input/textarea/select, boolean for a checkbox. */
  value: string | boolean;
  /** Choices of a select. */
  choices: string[];
  help: string;
  /** Hint under the control, e.g. "one per line" for lists. */
  hint: string;
}

/** "extra_packages" → "Extra packages". */
export function optionLabel(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : name;
}

/** The field that edits an option, from its `type`. */
export function fieldFor(option: IKindOption): IFieldSpec {
  const base = {
    name: option.name,
    label: optionLabel(option.name),
    help: option.help ?? '',
    choices: [] as string[],
    hint: ''
  };
  const def = option.default;
  switch (option.type) {
    case 'bool':
      return { ...base, control: 'checkbox', value: def === true };
    case 'list':
      return {
        ...base,
        control: 'textarea',
        value: Array.isArray(def) ? def.map(String).join('\n') : def ? String(def) : '',
        hint: /one per line/i.test(option.help ?? '') ? '' : 'One per line.'
      };
    case 'text':
      return {
        ...base,
        control: 'textarea',
        value: typeof def === 'string' ? def : ''
      };
    case 'choice': {
      const choices = Array.isArray(option.choices) ? option.choices.map(String) : [];
      const value =
        typeof def === 'string' && choices.includes(def) ? def : choices[0] ?? '';
      return { ...base, control: 'select', value, choices };
    }
    case 'string':
    default:
      return {
        ...base,
        control: 'input',
        value: def === null || def === undefined ? '' : String(def)
      };
  }
}

/** The fields of a kind's options, in the server's order. */
export function fieldsFor(kind: IKernelKind): IFieldSpec[] {
  return (kind.options ?? []).map(fieldFor);
}

/** What the form holds when submitted. */
export interface IInstallForm {
  name: string;
  display_name: string;
  replace: boolean;
  /** Raw control values by option name: text, or a boolean for checkboxes. */
  options: Record<string, string | boolean>;
}

/** The form's initial values for a kind. */
export function initialForm(kind: IKernelKind): IInstallForm {
  const options: Record<string, string | boolean> = {};
  for (const field of fieldsFor(kind)) {
    options[field.name] = field.value;
  }
  return {
    name: kind.default_name ?? '',
    display_name: kind.default_display_name ?? '',
    replace: false,
    options
  };
}

/** An option's value for the request, from the control's raw value. */
export function optionValue(option: IKindOption, raw: string | boolean | undefined): unknown {
  switch (option.type) {
    case 'bool':
      return raw === true || raw === 'true';
    case 'list':
      return String(raw ?? '')
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line !== '');
    case 'text':
      return String(raw ?? '');
    case 'choice':
    case 'string':
    default:
      return String(raw ?? '').trim();
  }
}

/** Same kernel-name rule as the server: 1–64 of a-z 0-9 . _ -, starting with a letter or digit. */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Problems with the form, by field (`name`, `display_name`); empty when fine. */
export function checkInstallForm(form: IInstallForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = form.name.trim();
  if (name && (!NAME_RE.test(name) || name === 'installs')) {
    errors.name =
      name === 'installs'
        ? "'installs' is reserved."
        : "Use 1–64 characters from a-z, 0-9, '.', '_' and '-', starting with a letter or digit.";
  }
  if (form.display_name.length > 200) {
    errors.display_name = 'At most 200 characters.';
  }
  return errors;
}

/**
 * The `POST kernels/installs` body. Empty name / display name are left out
 * (the server picks the kind's defaults); options equal to what the server
 * would use anyway are still sent, so the request says what the form showed.
 */
export function buildInstallRequest(
  kind: IKernelKind,
  form: IInstallForm,
  replace = form.replace
): IInstallRequest {
  const request: IInstallRequest = { kind: kind.kind };
  const name = form.name.trim();
  if (name) {
    request.name = name;
  }
  const display = form.display_name.trim();
  if (display) {
    request.display_name = display;
  }
  const options: Record<string, unknown> = {};
  for (const option of kind.options ?? []) {
    if (option.name in form.options) {
      options[option.name] = optionValue(option, form.options[option.name]);
    }
  }
  if (Object.keys(options).length) {
    request.options = options;
  }
  if (replace) {
    request.replace = true;
  }
  return request;
}
