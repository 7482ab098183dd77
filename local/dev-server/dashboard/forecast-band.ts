/**
 * The next close's 80% and 95% intervals, drawn as a lightweight-charts custom series: at the next
 * hour, a light bar over the 95% interval, a dark one over the 80% interval and a line across at the
 * median. Not a candlestick series: a box with whiskers in candle form would read as a candle. Only
 * types are imported; the chart library's defaults are passed in, since the page reads the library
 * from window.LightweightCharts.
 */
import type {
  CustomData,
  CustomSeriesOptions,
  CustomSeriesWhitespaceData,
  ICustomSeriesPaneRenderer,
  ICustomSeriesPaneView,
  PaneRendererCustomData,
  PriceToCoordinateConverter,
  Time,
} from 'lightweight-charts';

/**
 * Opaque and found nowhere else on the chart: nothing is drawn behind the next hour but the grid, and
 * the page test finds the bars by these exact pixel colours.
 */
export const BAND_COLORS = { outer: '#ddd6fe', inner: '#a78bfa', median: '#4c1d95' } as const;

export interface PriceRange {
  readonly lower: number;
  readonly upper: number;
}

export interface BandData extends CustomData<Time> {
  /** The 95% interval. */
  readonly outer: PriceRange;
  /** The 80% interval. */
  readonly inner: PriceRange;
  readonly median: number;
}

type Target = Parameters<ICustomSeriesPaneRenderer['draw']>[0];

class BandRenderer implements ICustomSeriesPaneRenderer {
  private data: PaneRendererCustomData<Time, BandData> | null = null;

  update(data: PaneRendererCustomData<Time, BandData>): void {
    this.data = data;
  }

  draw(target: Target, toY: PriceToCoordinateConverter): void {
    const data = this.data;
    if (data === null || data.visibleRange === null) return;
    const { from, to } = data.visibleRange;
    // Bitmap pixels with whole-pixel edges: crisp bars on any device pixel ratio.
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: hr, verticalPixelRatio: vr }) => {
      const width = Math.max(5, Math.round(0.8 * data.barSpacing * hr));
      const overhang = Math.max(2, Math.round(2 * hr));
      for (const bar of data.bars.slice(from, to + 1)) {
        const item = bar.originalData;
        const left = Math.round(bar.x * hr - width / 2);
        const rect = (range: PriceRange, color: string): void => {
          const top = toY(range.upper);
          const bottom = toY(range.lower);
          if (top === null || bottom === null) return;
          const y = Math.round(top * vr);
          context.fillStyle = color;
          context.fillRect(left, y, width, Math.max(1, Math.round(bottom * vr) - y));
        };
        rect(item.outer, BAND_COLORS.outer);
        rect(item.inner, BAND_COLORS.inner);
        const median = toY(item.median);
        if (median === null) continue;
        const thickness = Math.max(2, Math.round(2 * vr));
        context.fillStyle = BAND_COLORS.median;
        context.fillRect(
          left - overhang,
          Math.round(median * vr - thickness / 2),
          width + 2 * overhang,
          thickness,
        );
      }
    });
  }
}

/** The series' view; `defaults` is the library's customSeriesDefaultOptions. */
export function forecastBandView(
  defaults: CustomSeriesOptions,
): ICustomSeriesPaneView<Time, BandData, CustomSeriesOptions> {
  const renderer = new BandRenderer();
  return {
    renderer: () => renderer,
    update: (data) => renderer.update(data),
    // Both ends of the 95% interval, so that the price scale keeps the whole band in view.
    priceValueBuilder: (item) => [item.outer.lower, item.outer.upper, item.median],
    isWhitespace: (item): item is CustomSeriesWhitespaceData<Time> =>
      (item as Partial<BandData>).median === undefined,
    defaultOptions: () => ({ ...defaults, color: BAND_COLORS.median }),
  };
}
