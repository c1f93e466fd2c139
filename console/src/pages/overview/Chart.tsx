// One ECharts chart: fills its card, follows the window's and the card's size,
// and reports which element was clicked. Only the chart types and components
// the overview uses are pulled in, to keep the bundle small.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ChartClick {
  name: string; // category (bars) or slice name (pie)
  seriesName?: string;
  seriesIndex?: number;
  dataIndex: number;
  data: unknown;
}

// The element keeps its chart so a browser test can find where an item is
// drawn and click there like a person would.
export type ChartElement = HTMLDivElement & { chart?: echarts.ECharts };

interface Props {
  option: EChartsCoreOption;
  onClick?: (p: ChartClick) => void;
  height?: number;
  testId: string;
}

export default function Chart({ option, onClick, height = 260, testId }: Props) {
  const el = useRef<ChartElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const box = el.current!;
    const c = echarts.init(box);
    chart.current = c;
    box.chart = c;
    c.on('click', (p) => click.current?.(p as unknown as ChartClick));
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    const observer = new ResizeObserver(resize);
    observer.observe(box);
    return () => {
      window.removeEventListener('resize', resize);
      observer.disconnect();
      c.dispose();
      chart.current = null;
      delete box.chart;
    };
  }, []);

  useEffect(() => {
    // No animation: the overview redraws every 10 s, and bars growing from
    // zero each time would only distract.
    chart.current?.setOption({ animation: false, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={el} data-testid={testId} style={{ width: '100%', height, cursor: onClick ? 'pointer' : undefined }} />;
}
