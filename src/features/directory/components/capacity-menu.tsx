import { Button, Menu } from '@mantine/core';
import { IconChevronDown } from '@tabler/icons-react';
import { notifyError, notifySuccess } from '@/lib/notify';
import { useUpdateProgram, type MyProgram } from '../api/my-programs';
import { CAPACITY_COLORS, WAIT_BANDS, capacityText, shownCapacity, type Capacity } from '../capacity';

type Choice = { capacity: Capacity; wait: string | null };

const CHOICES: Choice[] = [
  { capacity: 'accepting', wait: null },
  ...WAIT_BANDS.map((wait) => ({ capacity: 'waitlist' as const, wait })),
  { capacity: 'not_accepting', wait: null },
  { capacity: 'unknown', wait: null },
];

/** Two clicks: open the menu, choose (a waitlist choice carries its wait band). */
export function CapacityMenu({ program }: { program: MyProgram }) {
  const update = useUpdateProgram();
  const shown = shownCapacity(program.capacity, program.capacity_updated_at);
  const current = capacityText(shown, program.capacity_wait);
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button
          variant="light"
          color={CAPACITY_COLORS[shown]}
          rightSection={<IconChevronDown size={14} aria-hidden />}
          loading={update.isPending}
          aria-label={`Capacity of ${program.name}: ${current}. Change it`}
        >
          {current}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Is {program.name} taking referrals?</Menu.Label>
        {CHOICES.map((c) => (
          <Menu.Item
            key={`${c.capacity}:${c.wait ?? ''}`}
            onClick={() =>
              update.mutate(
                { id: program.id, patch: { capacity: c.capacity, capacity_wait: c.wait } },
                {
                  onSuccess: () =>
                    notifySuccess(`${program.name}: ${capacityText(c.capacity, c.wait)}.`, 'Capacity saved'),
                  onError: (e) => notifyError(e, 'Capacity not saved'),
                },
              )
            }
          >
            {capacityText(c.capacity, c.wait)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
