/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * What the dashboard's page scripts share in the browser: the configuration the server writes into each
 * page, element builders (HTML and SVG), and GET requests to the API with the page's key.
 */
import type * as Charts from 'lightweight-charts';
import type { Axis, PlotFrame } from './charts.js';
import { CHART_SIZE } from './charts.js';

/** What a page's first script sets: the local API key, and whether the candles are known to be generated. */
export interface DashboardConfig {
  readonly apiKey: string;
  /** True: label every figure as measured on generated candles; absent: tell from each run's data source. */
  readonly generated?: boolean;
}

declare global {
  interface Window {
    DASHBOARD: DashboardConfig;
    LightweightCharts: typeof Charts;
  }
}

export type Attributes = Readonly<Record<string, string>> & { readonly text?: string };

function build(node: Element, attrs: Attributes, children: readonly (Node | null)[]): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null) node.appendChild(child);
}

export function el(
  tag: string,
  attrs: Attributes = {},
  children: readonly (Node | null)[] = [],
): HTMLElement {
  const node = document.createElement(tag);
  build(node, attrs, children);
  return node;
}

/** A table's head: one row of column names. */
export function tableHead(names: readonly string[]): HTMLElement {
  return el('thead', {}, [
    el(
      'tr',
      {},
      names.map((name) => el('th', { text: name })),
    ),
  ]);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attrs: Attributes = {},
  children: readonly (Node | null)[] = [],
): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  build(node, attrs, children);
  return node;
}

/** Appends the children that are there (a null is a part not shown). */
export function append(parent: Node, ...children: readonly (Node | null)[]): void {
  for (const child of children) if (child !== null) parent.appendChild(child);
}

/** GET `path` of the API with the page's key; the API's own message when it refuses. */
export async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, {
    headers: { 'x-api-key': window.DASHBOARD.apiKey, accept: 'application/json' },
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { message?: string } } | null)?.error;
    throw new Error(error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `currency=BTC&compare=USDT` for a pair. */
export function pairQuery(pair: string): string {
  const [base = '', quote = ''] = pair.split('/');
  return `currency=${encodeURIComponent(base)}&compare=${encodeURIComponent(quote)}`;
}

export function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * An empty chart: the SVG with its box, grid, axes and tick labels, carrying its scales' domain and range
 * (data-x-domain, data-y-range, ...) so that a reader can map drawn points back to data.
 */
export function chartFrame(frame: PlotFrame, label: string): SVGElement {
  const { width, height, left, right, top, bottom } = CHART_SIZE;
  const attr = (axis: Axis, part: 'domain' | 'range'): string => axis.scale[part].join(',');
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
    class: 'plot',
    'data-x-domain': attr(frame.x, 'domain'),
    'data-x-range': attr(frame.x, 'range'),
    'data-y-domain': attr(frame.y, 'domain'),
    'data-y-range': attr(frame.y, 'range'),
  });
  const grid = svg('g', { class: 'grid' });
  for (const tick of frame.y.ticks) {
    const y = frame.y.scale(tick.value).toFixed(1);
    grid.appendChild(svg('line', { x1: String(left), x2: String(width - right), y1: y, y2: y }));
    grid.appendChild(
      svg('text', {
        x: String(left - 6),
        y,
        'text-anchor': 'end',
        'dominant-baseline': 'middle',
        text: tick.label,
      }),
    );
  }
  for (const tick of frame.x.ticks) {
    const x = frame.x.scale(tick.value).toFixed(1);
    grid.appendChild(svg('line', { x1: x, x2: x, y1: String(top), y2: String(height - bottom) }));
    grid.appendChild(
      svg('text', { x, y: String(height - bottom + 18), 'text-anchor': 'middle', text: tick.label }),
    );
  }
  chart.appendChild(grid);
  return chart;
}
