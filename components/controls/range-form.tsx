import { useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { MIN_RANGE_MS, type TimeRange } from '@/lib/dashboard';

interface RangeFormProps {
  /** What is shown now: the form starts from it. */
  from: number;
  to: number;
  /** The oldest time the server still holds. */
  oldest: number;
  onRange: (range: TimeRange) => void;
}

/** `YYYY-MM-DDTHH:MM:SS` in local time, what a datetime-local input takes. */
function toLocalInput(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

/** A custom time range within the retained history, in local time; showing it pauses. */
export function RangeForm({ from, to, oldest, onRange }: RangeFormProps) {
  const [error, setError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // Opening starts from what is shown at that moment (the inputs are left alone while open). On
  // the summary's click, before the details opens: the toggle event comes later, and filled the
  // inputs over what a quick hand (or test) had typed meanwhile.
  const open = (e: MouseEvent<HTMLElement>) => {
    const inputs = form.current?.elements;
    if ((e.currentTarget.parentElement as HTMLDetailsElement | null)?.open || !inputs) return;
    (inputs.namedItem('from') as HTMLInputElement).value = toLocalInput(from);
    (inputs.namedItem('to') as HTMLInputElement).value = toLocalInput(to);
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fields = new FormData(e.currentTarget);
    const a = new Date(String(fields.get('from'))).getTime();
    const b = new Date(String(fields.get('to'))).getTime();
    if (!(b - a >= MIN_RANGE_MS)) return setError('“To” must be at least a second after “From”.');
    if (a < oldest) return setError(`History starts at ${toLocalInput(oldest).replace('T', ' ')}.`);
    setError(null);
    e.currentTarget.closest('details')?.removeAttribute('open');
    onRange({ from: a, to: b });
  };
  return (
    <details className="range-form">
      <summary className="control" onClick={open}>
        Range…
      </summary>
      <form ref={form} onSubmit={submit}>
        <label>
          From <input type="datetime-local" name="from" step={1} required />
        </label>
        <label>
          To <input type="datetime-local" name="to" step={1} required />
        </label>
        <button type="submit" className="control primary">
          Show
        </button>
        {error && <p role="alert">{error}</p>}
      </form>
    </details>
  );
}
