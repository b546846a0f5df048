import { lazy, Suspense, useId, useState } from 'react';
import { Button, Group, Paper, Skeleton, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconDownload, IconTable } from '@tabler/icons-react';
import { downloadCsv, toCsv } from '../csv';
import type { ChartTable } from '../model';

const Chart = lazy(() => import('./charts'));

/**
 * One chart with its table alternative and its CSV. The table is always in
 * the page for screen readers (visually hidden until "Show the numbers"); the
 * drawing is hidden from them, since it says nothing the table does not.
 */
export function ChartCard({ table, filename }: { table: ChartTable; filename: string }) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  const headingId = useId();
  const numbers = (
    <Table id={tableId} striped withTableBorder fz="sm" mt="xs">
      <Table.Caption>{table.title}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {table.header.map((h) => (
            <Table.Th key={h} scope="col">
              {h}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {table.rows.map((row, i) => (
          <Table.Tr key={i}>
            {row.map((cell, j) =>
              j === 0 ? (
                <Table.Th key={j} scope="row" fw={400}>
                  {cell}
                </Table.Th>
              ) : (
                <Table.Td key={j}>{cell}</Table.Td>
              ),
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId} data-chart={table.id}>
      <Stack gap="xs">
        <Title order={3} size="h4" id={headingId}>
          {table.title}
        </Title>
        <Text size="sm" c="dimmed">
          {table.description}
        </Text>
        {table.rows.length === 0 && table.empty ? (
          <Text size="sm">{table.empty}</Text>
        ) : (
          <div aria-hidden>
            <Suspense fallback={<Skeleton h={200} />}>
              <Chart table={table} />
            </Suspense>
          </div>
        )}
        {showTable ? numbers : <VisuallyHidden>{numbers}</VisuallyHidden>}
        <Group gap="xs">
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={<IconTable size={16} aria-hidden />}
            aria-expanded={showTable}
            aria-controls={tableId}
            onClick={() => setShowTable((v) => !v)}
          >
            {showTable ? 'Hide the numbers' : 'Show the numbers'}
          </Button>
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => downloadCsv(filename, toCsv(table.header, table.rows))}
            aria-label={`Download CSV: ${table.title}`}
          >
            Download CSV
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
