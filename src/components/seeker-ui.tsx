/**
 * The few building blocks of the pages seekers open (the portal and the
 * one-click page): plain elements styled by the CSS inlined in seeker.html,
 * so those pages load no component library and the static shell there, drawn
 * with the same classes, paints exactly what React renders. Staff screens use
 * Mantine instead.
 */
import { useId, type ComponentPropsWithoutRef, type ReactNode } from 'react';

export type Tone = 'blue' | 'green' | 'orange' | 'red' | 'gray';

/** Indeterminate progress with a name ("Loading…"), centred. */
export function Spinner({ label, padding = 'xl' }: { label: string; padding?: 'lg' | 'xl' }) {
  return (
    <div className={`center p-${padding}`} aria-busy="true">
      <span className="spin" role="progressbar" aria-label={label} />
    </div>
  );
}

type ButtonProps = ComponentPropsWithoutRef<'button'> & {
  variant?: 'filled' | 'outline' | 'subtle' | 'light';
  size?: 'sm' | 'md' | 'compact';
  full?: boolean;
  start?: boolean;
  loading?: boolean;
};

/** The classes of a button, for a link that looks like one. */
export function buttonClass({ variant = 'filled', size = 'sm', full, start }: Omit<ButtonProps, 'loading'>) {
  return ['btn', variant, size, full && 'full', start && 'start'].filter(Boolean).join(' ');
}

/** A button; while `loading` it keeps its name, shows a spinner and cannot be pressed again. */
export function Button({
  variant,
  size,
  full,
  start,
  loading,
  disabled,
  children,
  className,
  type,
  ...rest
}: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      className={[buttonClass({ variant, size, full, start }), className].filter(Boolean).join(' ')}
      disabled={loading || disabled}
      data-loading={loading || undefined}
    >
      {loading && <span className="spin sm" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** A labelled text input with its error under it (announced with the field). */
export function TextField({
  label,
  error,
  ...rest
}: Omit<ComponentPropsWithoutRef<'input'>, 'id'> & { label: string; error?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...rest}
      />
      {error && (
        <p className="err" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled native select with its error under it (announced with the field). */
export function SelectField({
  label,
  error,
  options,
  ...rest
}: Omit<ComponentPropsWithoutRef<'select'>, 'id' | 'children'> & {
  label: string;
  error?: string;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && (
        <p className="err" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A message box: `role="alert"` for problems, `role="status"` for news. */
export function Notice({
  tone,
  title,
  role,
  children,
}: {
  tone: Tone;
  title?: string;
  role?: 'alert' | 'status';
  children?: ReactNode;
}) {
  return (
    <div className={`notice ${tone}`} role={role}>
      {title && <p className="notice-title">{title}</p>}
      {children && <div>{children}</div>}
    </div>
  );
}

/** Radio buttons drawn as one segmented switch (a radio group, so arrows move between them). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  const name = useId();
  return (
    <div className="seg" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <label key={o.value} className={o.value === value ? 'on' : undefined}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={o.value === value}
            onChange={() => onChange(o.value)}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </div>
  );
}

/** A group of radio buttons with its legend (a radio group named by it). */
export function RadioGroup<T extends string>({
  legend,
  value,
  options,
  onChange,
}: {
  legend: string;
  value: T;
  /** `description` is read with the option (why it is disabled, for example). */
  options: { value: T; label: string; lang?: string; disabled?: boolean; description?: string }[];
  onChange: (value: T) => void;
}) {
  const name = useId();
  return (
    <fieldset className="plain radios" role="radiogroup" aria-labelledby={`${name}-legend`}>
      <legend id={`${name}-legend`}>{legend}</legend>
      {options.map((o) => (
        <div key={o.value}>
          <label lang={o.lang} className={o.disabled ? 'off' : undefined}>
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={o.value === value}
              disabled={o.disabled}
              aria-describedby={o.description ? `${name}-${o.value}-desc` : undefined}
              onChange={() => onChange(o.value)}
            />
            {o.label}
          </label>
          {o.description && (
            <p className="desc" id={`${name}-${o.value}-desc`}>
              {o.description}
            </p>
          )}
        </div>
      ))}
    </fieldset>
  );
}

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** Hidden from sight, read by screen readers. */
export function VisuallyHidden(props: ComponentPropsWithoutRef<'div'>) {
  return <div className="vh" {...props} />;
}
