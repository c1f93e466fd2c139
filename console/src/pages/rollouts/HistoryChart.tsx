// A rollout's history as a stacked area chart over time (GET
// /api/v1/rollouts/{id}/history): each sample's counts summed over the waves,
// one band per state. ECharts, which the console already has; loaded only
// with the rollout's page.
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import { Counts, PHASE_COLORS, PHASES, unixTime } from './types';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Sample {
  time: number;
  wave: number;
  counts: Counts;
}

// Samples come per wave; the chart shows the rollout as a whole at each time.
export function totals(samples: Sample[]): { time: number; counts: Counts }[] {
  const latest = new Map<number, Counts>(); // wave → its newest counts
  const out: { time: number; counts: Counts }[] = [];
  for (const s of [...samples].sort((a, b) => a.time - b.time)) {
    latest.set(s.wave, s.counts);
    const sum: Counts = {};
    for (const c of latest.values()) for (const [k, n] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + n;
    if (out.length && out[out.length - 1].time === s.time) out[out.length - 1].counts = sum;
    else out.push({ time: s.time, counts: sum });
  }
  return out;
}

export default function HistoryChart({ samples }: { samples: Sample[] }) {
  // The series are the deployment phases, named as every page names them.
  const { t: tc, i18n } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const points = useMemo(() => totals(samples), [samples]);

  useEffect(() => {
    const c = echarts.init(el.current!);
    chart.current = c;
    const resize = () => c.resize();
    const observer = new ResizeObserver(resize);
    observer.observe(el.current!);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const shown = PHASES.filter((p) => points.some((x) => (x.counts[p] ?? 0) > 0));
    chart.current?.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', boundaryGap: false, data: points.map((p) => unixTime(p.time, i18n.language).slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: shown.map((p) => ({
        name: tc(`phase_${p}`),
        type: 'line',
        stack: 'all',
        areaStyle: {},
        symbol: 'none',
        color: PHASE_COLORS[p],
        data: points.map((x) => x.counts[p] ?? 0),
      })),
    }, { notMerge: true });
  }, [points, tc, i18n.language]);

  return <div ref={el} data-testid="history-chart" data-samples={samples.length} style={{ width: '100%', height: 260 }} />;
}
