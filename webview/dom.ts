// Tiny DOM helpers for the run panel. Everything is built with createElement and textContent:
// values from a platform are never parsed as HTML, so `<img src=x onerror=…>` shows as text.

import type { Codicon } from './codicons';

type Child = Node | string | number | undefined | null | false;

export interface Props {
  className?: string;
  id?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.id) el.id = props.id;
  if (props.title) el.title = props.title;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    // Event handlers and inline styles never come from attributes (the CSP would refuse them anyway).
    if (/^on|^style$/i.test(name)) throw new Error(`refused attribute ${name}`);
    el.setAttribute(name, value);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** A codicon (decorative: hidden from screen readers). */
export function icon(name: Codicon, extra = ''): HTMLSpanElement {
  return h('span', { className: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export function button(props: Props & { icon?: Codicon; label: string; iconOnly?: boolean }, onClick: (event: MouseEvent) => void): HTMLButtonElement {
  const { icon: iconName, label, iconOnly, className, ...rest } = props;
  const el = h('button', { ...rest, className: className ?? 'button secondary', attrs: { type: 'button', ...(iconOnly ? { 'aria-label': label } : {}), ...rest.attrs } });
  if (iconName) el.appendChild(icon(iconName));
  if (!iconOnly) el.appendChild(h('span', { className: 'button-text', text: label }));
  else if (!el.title) el.title = label;
  el.addEventListener('click', onClick);
  return el;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the panel's HTML`);
  return el as T;
}

/** A horizontal bar for a 0–1 value (width set through the CSSOM, which the CSP allows). */
export function bar(value: number, label: string, className = 'bar'): HTMLDivElement {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  const fill = h('div', { className: 'bar-fill' });
  fill.style.width = `${pct}%`;
  return h(
    'div',
    { className, attrs: { role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-valuetext': `${pct}%`, 'aria-label': label } },
    fill,
  );
}

/** Sets an input's value only when it differs: setting it moves the cursor to the end. */
export function setValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (input.value !== value) input.value = value;
}
