/**
 * The charts themselves (Recharts through @mantine/charts), in their own
 * chunk: the Reports screen loads this file only once it has numbers to draw,
 * so nothing of Recharts is in the app's first load. Each chart is decoration
 * over its table (chart-card.tsx), which is what assistive technology reads:
 * Recharts' own keyboard layer is off, and the card hides the drawing from
 * screen readers. One colour per chart; the two lines of the weekly chart are
 * told apart by their dashes and named in words.
 */
import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Group, Text } from '@mantine/core';
import type { ChartTable } from '../model';
import { barData, weekLabel } from '../model';

const NEW_COLOUR = 'indigo.7';
const CLOSED_COLOUR = 'orange.9';

function LineSample({ dashed, color }: { dashed?: boolean; color: string }) {
  return (
    <svg width="28" height="10" aria-hidden focusable="false">
      <line
        x1="0"
        y1="5"
        x2="28"
        y2="5"
        stroke={`var(--mantine-color-${color.replace('.', '-')})`}
        strokeWidth="3"
        strokeDasharray={dashed ? '6 4' : undefined}
      />
    </svg>
  );
}

export default function Chart({ table }: { table: ChartTable }) {
  if (table.id === 'weekly') {
    const data = table.rows.map(([week, created, closed]) => ({
      week: weekLabel(String(week)),
      New: created,
      Closed: closed,
    }));
    return (
      <>
        <LineChart
          h={240}
          data={data}
          dataKey="week"
          series={[
            { name: 'New', color: NEW_COLOUR },
            { name: 'Closed', color: CLOSED_COLOUR, strokeDasharray: '6 4' },
          ]}
          curveType="linear"
          withDots={data.length <= 16}
          lineChartProps={{ accessibilityLayer: false }}
          yAxisProps={{ allowDecimals: false }}
        />
        <Group gap="lg" mt="xs">
          <Group gap={6}>
            <LineSample color={NEW_COLOUR} />
            <Text size="sm">New (solid line)</Text>
          </Group>
          <Group gap={6}>
            <LineSample color={CLOSED_COLOUR} dashed />
            <Text size="sm">Closed (dashed line)</Text>
          </Group>
        </Group>
      </>
    );
  }
  const data = barData(table);
  return (
    <BarChart
      h={Math.max(160, data.length * 36)}
      data={data}
      dataKey="label"
      orientation="vertical"
      series={[{ name: 'Referrals', color: 'indigo.7' }]}
      withBarValueLabel
      gridAxis="x"
      barChartProps={{ accessibilityLayer: false }}
      yAxisProps={{ width: table.id === 'reasons' ? 220 : 150 }}
      xAxisProps={{ allowDecimals: false }}
    />
  );
}
