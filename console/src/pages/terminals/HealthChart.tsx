// A terminal's health history as lines over time: battery and signal in percent on the left
// axis, free storage in GB on the right, up to the whole storage (so nearly full reads low). A field the terminal could not read leaves a gap. The
// time axis is in the reader's zone (ECharts draws local time). ECharts, which the console
// already has; loaded only with the terminal's health card (HealthCard.tsx).
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import type { HealthReport } from './types';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Point = [number, number | null];

// The element keeps its chart so a browser test can read what it draws.
type ChartElement = HTMLDivElement & { chart?: echarts.ECharts };

// Each series as [time in ms, value or null], oldest first; `totalGb` the largest whole storage.
export function healthSeries(history: HealthReport[]): {
  battery: Point[]; signal: Point[]; storage: Point[]; totalGb: number | null;
} {
  const at = (r: HealthReport) => new Date(r.time).getTime();
  const rows = history.filter((r) => Number.isFinite(at(r))).sort((a, b) => at(a) - at(b));
  return {
    battery: rows.map((r) => [at(r), r.battery ?? null]),
    signal: rows.map((r) => [at(r), r.network && r.network !== 'offline' ? (r.signal ?? null) : null]),
    storage: rows.map((r) => [at(r), r.storage_free === undefined ? null : +(r.storage_free / 2 ** 30).toFixed(2)]),
    totalGb: rows.reduce<number | null>((m, r) => (r.storage_total ? Math.max(m ?? 0, r.storage_total / 2 ** 30) : m), null),
  };
}

export default function HealthChart({ history }: { history: HealthReport[] }) {
  const { t } = useTranslation('terminals');
  const el = useRef<ChartElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const series = useMemo(() => healthSeries(history), [history]);

  useEffect(() => {
    const box = el.current!;
    const c = echarts.init(box);
    chart.current = c;
    box.chart = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(box);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
      delete box.chart;
    };
  }, []);

  useEffect(() => {
    const line = (name: string, data: Point[], color: string, yAxisIndex = 0) => ({
      name, type: 'line', data, yAxisIndex, color, showSymbol: data.length < 40, connectNulls: false,
    });
    chart.current?.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 44, right: 52, top: 24, bottom: 56 },
      xAxis: { type: 'time' },
      yAxis: [
        { type: 'value', min: 0, max: 100, name: '%' },
        { type: 'value', min: 0, max: series.totalGb ? Math.ceil(series.totalGb) : undefined, name: 'GB',
          splitLine: { show: false } },
      ],
      series: [
        line(t('chartBattery'), series.battery, '#52c41a'),
        line(t('chartSignal'), series.signal, '#1677ff'),
        line(t('chartStorage'), series.storage, '#fa8c16', 1),
      ],
    }, { notMerge: true });
  }, [series, t]);

  return <div ref={el} data-testid="health-chart" data-samples={history.length} style={{ width: '100%', height: 260 }} />;
}
