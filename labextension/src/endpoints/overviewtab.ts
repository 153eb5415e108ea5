/**
 * The Overview tab of an endpoint view: the variants (model, weight and
 * traffic share, instances and their processes) with live weight and
 * capacity changes, each variant's auto-scaling, and scaling activities.
 */
import { errorText } from '../status';
import type { FormErrors } from '../training/form';
import { formatTimestamp } from '../training/format';
import type { EndpointsClient } from './client';
import { actionButton, badge, el, labelled, showFieldError, table, textInput } from './dom';
import { parseWeight } from './form';
import {
  formatShare,
  scalingPolicy,
  scalingState,
  trafficShares,
  weightsChanges,
  type IScalingState,
  type IVariantEdit
} from './traffic';
import type { IDescribeEndpointReply, IScalingActivity, IVariantDescription } from './types';

/** A number input showing a server value until the user edits it. */
function serverInput(name: string, label: string, min: string): HTMLInputElement {
  const input = textInput(name);
  input.type = 'number';
  input.min = min;
  input.step = 'any';
  input.setAttribute('aria-label', label);
  input.classList.add('jp-mlstudio-endpoints-number');
  return input;
}

/** Show `value` in `input` unless the user changed what the server said last. */
function follow(input: HTMLInputElement, value: string): void {
  if (input.dataset.server === undefined || input.value === input.dataset.server) {
    input.value = value;
  }
  input.dataset.server = value;
}

/** Forget the user's edit of `input` (show the server value again). */
function resetInput(input: HTMLInputElement): void {
  input.value = input.dataset.server ?? input.value;
}

/** Mark `input` with an error (or none), told in its tooltip. */
function markError(input: HTMLInputElement, message: string | undefined): void {
  showFieldError(input, null, message ?? '');
  input.title = message ?? '';
}

/** The row of one variant in the variants table. */
interface IVariantRow {
  row: HTMLTableRowElement;
  model: HTMLElement;
  weight: HTMLInputElement;
  share: HTMLElement;
  current: HTMLElement;
  count: HTMLInputElement;
  instances: HTMLElement;
}

/** The auto-scaling editor of one variant. */
interface IScalingEditor {
  root: HTMLElement;
  state: HTMLElement;
  inputs: Record<keyof IScalingState, HTMLInputElement>;
  save: HTMLButtonElement;
  remove: HTMLButtonElement;
  message: HTMLElement;
}

const SCALING_FIELDS: [keyof IScalingState, string, string][] = [
  ['min', 'Min instances', 'MinCapacity'],
  ['max', 'Max instances', 'MaxCapacity'],
  ['target', 'Target', 'Invocations per instance per minute (TargetValue)'],
  ['scaleOut', 'Scale-out cooldown (s)', 'Seconds after scaling out before scaling out again'],
  ['scaleIn', 'Scale-in cooldown (s)', 'Seconds after any scaling before scaling in']
];

/** The Overview tab. */
export class OverviewTab {
  constructor(private readonly _client: EndpointsClient, private readonly _name: string, private readonly _changed: () => void) {
    this.node.classList.add('jp-mlstudio-endpoints-overview');
    const head = el('tr');
    head.append(
      ...['Variant', 'Model', 'Weight', 'Traffic', 'Instances', 'Desired', 'Processes'].map(h => el('th', '', h))
    );
    this._table.createTHead().append(head);
    this._table.append(this._tbody);
    this._apply.addEventListener('click', () => void this._applyWeights());
    this._reset.addEventListener('click', () => {
      for (const v of this._rows.values()) {
        resetInput(v.weight);
        resetInput(v.count);
      }
      this._refreshShares();
      this._setMessage(this._weightsMessage, '');
    });
    this._tbody.addEventListener('input', () => this._refreshShares());
    const actions = el('div', 'jp-mlstudio-endpoints-actions');
    actions.append(this._apply, this._reset, this._weightsMessage);
    this._weightsMessage.setAttribute('role', 'status');

    const variants = el('section', 'jp-mlstudio-training-block');
    variants.append(el('h3', 'jp-mlstudio-training-block-title', 'Variants'), this._table, actions, this._hint);
    const scaling = el('section', 'jp-mlstudio-training-block');
    scaling.append(
      el('h3', 'jp-mlstudio-training-block-title', 'Auto-scaling'),
      el(
        'p',
        'jp-mlstudio-training-muted',
        'Target tracking on invocations per instance per minute, evaluated once per metrics period, as SageMaker’s SageMakerVariantInvocationsPerInstance policy does.'
      ),
      this._scaling
    );
    const activities = el('section', 'jp-mlstudio-training-block');
    activities.append(el('h3', 'jp-mlstudio-training-block-title', 'Scaling activities'), this._activities);
    this.node.append(variants, scaling, activities);
  }

  /** The tab's panel. */
  readonly node = el('div', 'jp-mlstudio-endpoints-tab');

  /** Show a description. */
  update(endpoint: IDescribeEndpointReply): void {
    this._endpoint = endpoint;
    const inService = endpoint.EndpointStatus === 'InService';
    this._apply.disabled = !inService || this._busy;
    this._hint.textContent = inService ? '' : `Weights and instance counts change when the endpoint is in service (it is ${endpoint.EndpointStatus}).`;
    this._hint.hidden = inService;
    const names = endpoint.ProductionVariants.map(v => v.VariantName);
    if (names.join('\n') !== Array.from(this._rows.keys()).join('\n')) {
      this._rows.clear();
      this._editors.clear();
      this._tbody.replaceChildren();
      this._scaling.replaceChildren();
      for (const v of endpoint.ProductionVariants) {
        const row = this._newRow(v.VariantName);
        this._rows.set(v.VariantName, row);
        this._tbody.append(row.row);
        const editor = this._newEditor(v.VariantName);
        this._editors.set(v.VariantName, editor);
        this._scaling.append(editor.root);
      }
    }
    for (const v of endpoint.ProductionVariants) {
      this._fillRow(this._rows.get(v.VariantName) as IVariantRow, v);
      this._fillEditor(this._editors.get(v.VariantName) as IScalingEditor, v);
    }
    this._refreshShares();
    const settled = endpoint.ProductionVariants.every(
      v => v.CurrentInstanceCount === v.DesiredInstanceCount && v.CurrentWeight === v.DesiredWeight
    );
    if (this._applying && endpoint.EndpointStatus !== 'Updating' && settled) {
      this._applying = false;
      this._setMessage(this._weightsMessage, 'Applied.');
    }
  }

  /** Fetch the scaling activities again. */
  async refreshActivities(): Promise<void> {
    try {
      this._renderActivities(await this._client.scalingActivities(this._name));
    } catch (error) {
      this._activities.replaceChildren(el('p', 'jp-mlstudio-training-message', `Could not load scaling activities: ${errorText(error)}`));
    }
  }

  private _newRow(variant: string): IVariantRow {
    const row = el('tr', 'jp-mlstudio-endpoints-variant');
    row.dataset.variant = variant;
    const cells = {
      row,
      model: el('td', 'jp-mlstudio-endpoints-model'),
      weight: serverInput('weight', `Weight of ${variant}`, '0'),
      share: el('span', 'jp-mlstudio-endpoints-share-value'),
      current: el('td', 'jp-mlstudio-endpoints-current'),
      count: serverInput('instance_count', `Desired instances of ${variant}`, '1'),
      instances: el('td', 'jp-mlstudio-endpoints-processes')
    };
    cells.count.step = '1';
    const cell = (...children: Node[]): HTMLTableCellElement => {
      const td = el('td');
      td.append(...children);
      return td;
    };
    row.append(cell(el('span', 'jp-mlstudio-endpoints-variant-name', variant)), cells.model, cell(cells.weight), cell(cells.share), cells.current, cell(cells.count), cells.instances);
    return cells;
  }

  private _fillRow(row: IVariantRow, v: IVariantDescription): void {
    row.model.textContent = v.ModelName;
    row.model.title = v.ModelName;
    follow(row.weight, String(v.DesiredWeight));
    follow(row.count, String(v.DesiredInstanceCount));
    const changing = v.CurrentInstanceCount !== v.DesiredInstanceCount || v.CurrentWeight !== v.DesiredWeight;
    row.current.textContent = `${v.CurrentInstanceCount} / ${v.DesiredInstanceCount}`;
    row.current.title = changing ? 'Current / desired: changing' : 'Current / desired';
    const processes = (v.Instances ?? []).map(i => {
      const item = el('span', 'jp-mlstudio-endpoints-process');
      item.title = `${i.InstanceId}${i.Pid ? `, pid ${i.Pid}` : ''}${i.Restarts ? `, restarted ${i.Restarts}×` : ''}`;
      item.append(badge(i.Status, item.title));
      if (i.Restarts) {
        item.append(el('span', 'jp-mlstudio-endpoints-restarts', `↻${i.Restarts}`));
      }
      return item;
    });
    row.instances.replaceChildren(...(processes.length ? processes : [el('span', 'jp-mlstudio-training-muted', 'none')]));
  }

  /** The weights and counts as typed. */
  private _edits(): IVariantEdit[] {
    return Array.from(this._rows, ([name, row]) => ({
      VariantName: name,
      weight: row.weight.value,
      instanceCount: row.count.value
    }));
  }

  /** Traffic shares of the typed weights, and whether anything was edited. */
  private _refreshShares(): void {
    const rows = Array.from(this._rows.values());
    const shares = trafficShares(rows.map(r => parseWeight(r.weight.value) ?? 0));
    rows.forEach((r, i) => (r.share.textContent = formatShare(shares[i])));
    const dirty = rows.some(r => r.weight.value !== r.weight.dataset.server || r.count.value !== r.count.dataset.server);
    this._reset.disabled = !dirty;
  }

  private async _applyWeights(): Promise<void> {
    const endpoint = this._endpoint;
    if (!endpoint) {
      return;
    }
    const check = weightsChanges(endpoint.ProductionVariants, this._edits());
    const errors: FormErrors = check.ok ? {} : check.errors;
    for (const [name, row] of this._rows) {
      markError(row.weight, errors[`${name}.weight`]);
      markError(row.count, errors[`${name}.instance_count`]);
    }
    if (!check.ok) {
      const first = Object.values(errors)[0];
      this._setMessage(this._weightsMessage, first, true);
      return;
    }
    if (!check.changes.length) {
      this._setMessage(this._weightsMessage, 'Nothing changed.');
      return;
    }
    this._busy = true;
    this._apply.disabled = true;
    try {
      await this._client.updateWeightsAndCapacities(this._name, check.changes);
      this._applying = true;
      this._setMessage(this._weightsMessage, 'Applying: weights change at once, instances as they start or drain.');
      this._changed();
    } catch (error) {
      this._setMessage(this._weightsMessage, errorText(error), true);
    } finally {
      this._busy = false;
      this._apply.disabled = this._endpoint?.EndpointStatus !== 'InService';
    }
  }

  private _newEditor(variant: string): IScalingEditor {
    const root = el('div', 'jp-mlstudio-endpoints-scaling');
    root.dataset.variant = variant;
    const title = el('div', 'jp-mlstudio-endpoints-scaling-title');
    const state = el('span', 'jp-mlstudio-training-muted');
    title.append(el('span', 'jp-mlstudio-endpoints-variant-name', variant), state);
    const inputs = {} as Record<keyof IScalingState, HTMLInputElement>;
    const grid = el('div', 'jp-mlstudio-endpoints-scaling-fields');
    for (const [key, label, hint] of SCALING_FIELDS) {
      const input = serverInput(key, `${label} of ${variant}`, key === 'scaleIn' || key === 'scaleOut' ? '0' : '1');
      inputs[key] = input;
      grid.append(labelled(label, input, hint));
    }
    const save = actionButton('Save', 'save-scaling');
    const remove = actionButton('Remove', 'remove-scaling');
    const message = el('span', 'jp-mlstudio-endpoints-message');
    message.setAttribute('role', 'status');
    const actions = el('div', 'jp-mlstudio-endpoints-actions');
    actions.append(save, remove, message);
    root.append(title, grid, actions);
    const editor = { root, state, inputs, save, remove, message };
    save.addEventListener('click', () => void this._saveScaling(variant, editor));
    remove.addEventListener('click', () => void this._removeScaling(variant, editor));
    return editor;
  }

  private _fillEditor(editor: IScalingEditor, v: IVariantDescription): void {
    const policy = v.AutoScaling;
    const values = scalingState(policy, v.DesiredInstanceCount);
    for (const [key] of SCALING_FIELDS) {
      follow(editor.inputs[key], values[key]);
    }
    editor.root.dataset.configured = policy ? 'true' : 'false';
    editor.state.textContent = policy
      ? `on: ${policy.MinCapacity}–${policy.MaxCapacity} instances, ${policy.TargetValue} invocations/instance/min`
      : 'off';
    editor.remove.hidden = !policy;
  }

  private async _saveScaling(variant: string, editor: IScalingEditor): Promise<void> {
    const state = Object.fromEntries(SCALING_FIELDS.map(([key]) => [key, editor.inputs[key].value])) as unknown as IScalingState;
    const check = scalingPolicy(state);
    const errors: FormErrors = check.ok ? {} : check.errors;
    for (const [key] of SCALING_FIELDS) {
      markError(editor.inputs[key], errors[key]);
    }
    if (!check.ok) {
      this._setMessage(editor.message, Object.values(errors)[0], true);
      return;
    }
    editor.save.disabled = true;
    try {
      await this._client.putScaling(this._name, variant, check.policy);
      for (const [key] of SCALING_FIELDS) {
        // The saved values are the server's now.
        editor.inputs[key].dataset.server = editor.inputs[key].value;
      }
      this._setMessage(editor.message, 'Saved.');
      this._changed();
    } catch (error) {
      this._setMessage(editor.message, errorText(error), true);
    } finally {
      editor.save.disabled = false;
    }
  }

  private async _removeScaling(variant: string, editor: IScalingEditor): Promise<void> {
    editor.remove.disabled = true;
    try {
      await this._client.deleteScaling(this._name, variant);
      this._setMessage(editor.message, 'Auto-scaling removed; the instance count stays as it is.');
      this._changed();
    } catch (error) {
      this._setMessage(editor.message, errorText(error), true);
    } finally {
      editor.remove.disabled = false;
    }
  }

  private _renderActivities(activities: IScalingActivity[]): void {
    if (!activities.length) {
      this._activities.replaceChildren(el('p', 'jp-mlstudio-training-muted', 'No scaling activities yet.'));
      return;
    }
    const rows = activities.map(a => {
      const cause = el('span', '', a.Cause);
      cause.title = a.Description;
      return [formatTimestamp(a.StartTime), a.VariantName, `${a.FromCount} → ${a.ToCount}`, cause, badge(a.StatusCode)];
    });
    this._activities.replaceChildren(table(['Time', 'Variant', 'Instances', 'Cause', 'Status'], rows, 'jp-mlstudio-endpoints-activities'));
  }

  private _setMessage(node: HTMLElement, text: string, error = false): void {
    node.textContent = text;
    node.classList.toggle('jp-mod-error', error);
  }

  private readonly _table = el('table', 'jp-mlstudio-training-table jp-mlstudio-endpoints-table jp-mlstudio-endpoints-variants');
  private readonly _tbody = el('tbody');
  private readonly _apply = actionButton('Apply', 'apply-weights', 'jp-mlstudio-training-button jp-mod-accept');
  private readonly _reset = actionButton('Reset', 'reset-weights');
  private readonly _weightsMessage = el('span', 'jp-mlstudio-endpoints-message');
  private readonly _hint = el('p', 'jp-mlstudio-training-muted');
  private readonly _scaling = el('div', 'jp-mlstudio-endpoints-scaling-list');
  private readonly _activities = el('div', 'jp-mlstudio-endpoints-activities-body');
  private readonly _rows = new Map<string, IVariantRow>();
  private readonly _editors = new Map<string, IScalingEditor>();
  private _endpoint: IDescribeEndpointReply | null = null;
  private _busy = false;
  private _applying = false;
}
