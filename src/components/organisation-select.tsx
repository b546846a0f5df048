import { NativeSelect } from '@mantine/core';

export type OrgOption = { kind: 'site' | 'program'; id: string; name: string };

export const orgValue = (o: Pick<OrgOption, 'kind' | 'id'>) => `${o.kind}:${o.id}`;

export function parseOrgValue(value: string): { fromSiteId: string | null; fromProgramId: string | null } {
  const [kind, id] = value.split(':');
  return { fromSiteId: kind === 'site' ? (id ?? null) : null, fromProgramId: kind === 'program' ? (id ?? null) : null };
}

/** Which of my organisations something is done from; shown only when I belong to several. */
export function OrganisationSelect({
  label,
  description,
  organisations,
  value,
  onChange,
}: {
  label: string;
  description?: string;
  organisations: OrgOption[];
  value: string;
  onChange: (value: string) => void;
}) {
  if (organisations.length < 2) return null;
  return (
    <NativeSelect
      label={label}
      description={description}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={organisations.map((o) => ({
        value: orgValue(o),
        label: `${o.name} (${o.kind === 'site' ? 'site' : 'program'})`,
      }))}
    />
  );
}
