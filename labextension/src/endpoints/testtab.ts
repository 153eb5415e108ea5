/**
 * The Test tab of an endpoint view: send one request through the Jupyter
 * server (`InvokeEndpoint`) and show the status, the variant that answered,
 * the round trip and the response.
 */
import { errorText } from '../status';
import type { EndpointsClient } from './client';
import { actionButton, el, labelled, select } from './dom';
import { ACCEPT_TYPES, bodyError, exampleBody, isExampleBody, prettyBody, REQUEST_TYPES } from './invoke';
import type { IDescribeEndpointReply, IInvocationResult } from './types';

/** The Test tab. */
export class TestTab {
  constructor(private readonly _client: EndpointsClient, private readonly _name: string) {
    this.node.classList.add('jp-mlstudio-endpoints-test');
    this._contentType = select('content_type', [...REQUEST_TYPES], REQUEST_TYPES[0]);
    this._accept = select('accept', [...ACCEPT_TYPES], ACCEPT_TYPES[0]);
    this._variant = select('target_variant', [['', 'By weight (no target)']], '');
    this._body.name = 'body';
    this._body.className = 'jp-mod-styled jp-mlstudio-endpoints-body';
    this._body.spellcheck = false;
    this._body.rows = 8;
    this._body.value = exampleBody(REQUEST_TYPES[0]);
    this._body.setAttribute('aria-label', 'Request body');
    this._contentType.addEventListener('change', () => {
      if (isExampleBody(this._body.value)) {
        this._body.value = exampleBody(this._contentType.value);
      }
      if (this._contentType.value !== 'application/json' && this._accept.value === 'application/json') {
        this._accept.value = this._contentType.value === 'text/plain' ? '*/*' : this._contentType.value;
      }
    });
    this._send.addEventListener('click', () => void this.send());
    this._body.addEventListener('keydown', event => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.send();
      }
    });
    const controls = el('div', 'jp-mlstudio-endpoints-test-controls');
    controls.append(
      labelled('Content type', this._contentType),
      labelled('Accept', this._accept),
      labelled('Target variant', this._variant, 'X-Amzn-SageMaker-Target-Variant')
    );
    const actions = el('div', 'jp-mlstudio-endpoints-actions');
    actions.append(this._send, el('span', 'jp-mlstudio-training-muted', 'Ctrl+Enter sends'));
    const request = el('section', 'jp-mlstudio-training-block');
    request.append(el('h3', 'jp-mlstudio-training-block-title', 'Request'), controls, this._body, actions);
    this._result.setAttribute('aria-live', 'polite');
    const response = el('section', 'jp-mlstudio-training-block');
    response.append(el('h3', 'jp-mlstudio-training-block-title', 'Response'), this._result);
    this._result.append(el('p', 'jp-mlstudio-training-muted', 'Send a request to see the response.'));
    this.node.append(request, response);
  }

  /** The tab's panel. */
  readonly node = el('div', 'jp-mlstudio-endpoints-tab');

  /** Keep the target variant choices in step with the endpoint. */
  update(endpoint: IDescribeEndpointReply): void {
    const names = endpoint.ProductionVariants.map(v => v.VariantName);
    const shown = Array.from(this._variant.options).slice(1).map(o => o.value);
    if (names.join('\n') !== shown.join('\n')) {
      const current = this._variant.value;
      this._variant.replaceChildren(
        new Option('By weight (no target)', ''),
        ...names.map(n => new Option(n, n, false, n === current))
      );
    }
  }

  /** Send the request as typed. */
  async send(): Promise<void> {
    const body = this._body.value;
    const contentType = this._contentType.value;
    const problem = bodyError(body, contentType);
    if (problem) {
      this._result.replaceChildren(el('p', 'jp-mlstudio-endpoints-error', problem));
      this._body.focus();
      return;
    }
    this._send.disabled = true;
    this._send.textContent = 'Sending…';
    try {
      const result = await this._client.invoke(this._name, body, contentType, this._accept.value, this._variant.value);
      this._show(result);
    } catch (error) {
      this._result.replaceChildren(el('p', 'jp-mlstudio-endpoints-error', errorText(error)));
    } finally {
      this._send.disabled = false;
      this._send.textContent = 'Send';
    }
  }

  private _show(result: IInvocationResult): void {
    const ok = result.error === null;
    this._result.dataset.status = String(result.status);
    const line = el('div', 'jp-mlstudio-endpoints-result-line');
    const status = el('span', `jp-mlstudio-endpoints-http ${ok ? 'jp-mod-ok' : 'jp-mod-error'}`, `${result.status} ${result.statusText}`.trim());
    line.append(status);
    if (result.variant) {
      line.append(el('span', '', `variant ${result.variant}`));
    }
    line.append(el('span', '', `${Math.round(result.milliseconds)} ms round trip`));
    if (result.contentType) {
      line.append(el('span', 'jp-mlstudio-training-muted', result.contentType));
    }
    const children: HTMLElement[] = [line];
    if (!ok) {
      children.push(el('p', 'jp-mlstudio-endpoints-error', result.error ?? ''));
    } else {
      children.push(el('pre', 'jp-mlstudio-training-log jp-mlstudio-endpoints-response', prettyBody(result.body, result.contentType) || '(empty body)'));
    }
    this._result.replaceChildren(...children);
  }

  private readonly _contentType: HTMLSelectElement;
  private readonly _accept: HTMLSelectElement;
  private readonly _variant: HTMLSelectElement;
  private readonly _body = el('textarea');
  private readonly _send = actionButton('Send', 'send', 'jp-mlstudio-training-button jp-mod-accept');
  private readonly _result = el('div', 'jp-mlstudio-endpoints-result');
}
