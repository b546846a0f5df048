// The program directory's trust: capacity, freshness, claimer edits, reports of wrong information.
export { CapacityBadge, FreshnessText } from './components/capacity-badge';
export { ProgramPanel } from './components/program-panel';
export { ReportDialog } from './components/report-dialog';
export { CAPACITY_FRESH_DAYS, CAPACITY_LABELS, capacityText, shownCapacity, type Capacity } from './capacity';
export { directoryKeys } from './api/keys';
