import { TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

/** A search box of a list's filters: labelled, with the magnifier, growing to the space left in its row. */
export function SearchField({
  label,
  description,
  value,
  onChange,
  minWidth = 200,
}: {
  label: string;
  description?: string;
  value: string;
  onChange: (value: string) => void;
  minWidth?: number;
}) {
  return (
    <TextInput
      label={label}
      description={description}
      type="search"
      leftSection={<IconSearch size={16} aria-hidden />}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      style={{ flex: 1, minWidth }}
    />
  );
}
