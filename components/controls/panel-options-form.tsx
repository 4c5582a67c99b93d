import { useEffect, useId, useRef, useState } from 'react';
import type { PanelOptions } from '@/lib/dashboard/panel-options';
import { UNITS, type Unit } from '@/lib/units';

interface PanelOptionsFormProps {
  title: string;
  options: PanelOptions;
  /** The unit the panel's name implies (the first choice of the unit list). */
  unit: Unit;
  onChange: (options: PanelOptions) => void;
  onClose: () => void;
}

const UNIT_NAMES: Record<Unit, string> = {
  bytes: 'bytes',
  bytes_per_second: 'bytes/s',
  seconds: 'seconds',
  ratio: 'ratio (0–1 as %)',
  percent: 'percent',
  per_second: 'per second',
  celsius: '°C',
  none: 'plain number',
};

/** A bound as typed: a number, empty for none, or what was typed when it is not a number. */
function readBound(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * A panel's display options, applied as they are changed and kept in the page's URL: stacked,
 * percent of total, log scale, whole-number steps, fixed y bounds (in the metric's own unit) and
 * the unit values are shown in. Escape or Close closes it.
 */
export function PanelOptionsForm({ title, options, unit, onChange, onClose }: PanelOptionsFormProps) {
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  // Opened from its button: focus moves into it (Escape or Close gives it back).
  useEffect(() => form.current?.querySelector('input')?.focus(), []);
  const [bounds, setBounds] = useState({ min: options.min === undefined ? '' : String(options.min), max: options.max === undefined ? '' : String(options.max) });
  const set = (patch: Partial<PanelOptions>) => {
    const next: PanelOptions = { ...options, ...patch };
    for (const k of Object.keys(next) as (keyof PanelOptions)[]) if (next[k] === undefined || next[k] === false) delete next[k];
    onChange(next);
  };
  const bound = (which: 'min' | 'max', text: string) => {
    setBounds((b) => ({ ...b, [which]: text }));
    const value = readBound(text);
    if (value !== null) set({ [which]: value });
  };
  const invalid = (which: 'min' | 'max') => readBound(bounds[which]) === null;
  const crossed = options.min !== undefined && options.max !== undefined && !(options.max > options.min);
  const flag = (key: 'stack' | 'percent' | 'log' | 'integer', label: string) => (
    <label>
      <input type="checkbox" checked={options[key] ?? false} onChange={(e) => set({ [key]: e.target.checked })} /> {label}
    </label>
  );
  return (
    <form
      ref={form}
      className="panel-options"
      aria-label={`Display options of ${title}`}
      onSubmit={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <fieldset>
        <legend>Draw</legend>
        {flag('stack', 'Stacked')}
        {flag('percent', 'Percent of total')}
        {flag('log', 'Log scale')}
        {flag('integer', 'Whole-number steps')}
      </fieldset>
      <fieldset>
        <legend>Y axis</legend>
        <label htmlFor={`${id}-min`}>Min</label>
        <input id={`${id}-min`} inputMode="decimal" value={bounds.min} aria-invalid={invalid('min') || undefined} onChange={(e) => bound('min', e.target.value)} placeholder="auto" />
        <label htmlFor={`${id}-max`}>Max</label>
        <input id={`${id}-max`} inputMode="decimal" value={bounds.max} aria-invalid={invalid('max') || crossed || undefined} onChange={(e) => bound('max', e.target.value)} placeholder="auto" />
        <label htmlFor={`${id}-unit`}>Unit</label>
        <select id={`${id}-unit`} value={options.unit ?? ''} onChange={(e) => set({ unit: (e.target.value || undefined) as Unit | undefined })}>
          <option value="">{UNIT_NAMES[unit]} (from the name)</option>
          {UNITS.filter((u) => u !== unit).map((u) => (
            <option key={u} value={u}>
              {UNIT_NAMES[u]}
            </option>
          ))}
        </select>
      </fieldset>
      {(invalid('min') || invalid('max')) && <p role="alert">A bound must be a number (in the metric’s own unit: bytes, seconds, 0–1 for a ratio).</p>}
      {crossed && <p role="alert">Max must be above min: the axis keeps its own maximum meanwhile.</p>}
      <p className="panel-options-actions">
        <button
          type="button"
          className="control"
          onClick={() => {
            setBounds({ min: '', max: '' });
            // The heatmap has its own button: Reset leaves it as it is.
            onChange(options.heatmap ? { heatmap: true } : {});
          }}
        >
          Reset
        </button>
        <button type="button" className="control primary" onClick={onClose}>
          Close
        </button>
      </p>
    </form>
  );
}
