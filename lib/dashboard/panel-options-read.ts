// Reading panel options from a URL (the server's, for the page it renders): every part checked,
// what is wrong named. See panel-options.ts for the options.
import { UNITS, type Unit } from '@/lib/units/format';
import { FLAGS, HIDDEN_PARAM_PREFIX, MAX_HIDDEN_KEY_CHARS, MAX_HIDDEN_LINES, MAX_PANEL_OPTIONS_CHARS, MAX_PANEL_PARAMS, PANEL_PARAM_PREFIX, type PanelOptions } from './panel-options';

const clip = (s: string) => JSON.stringify(s.length > 32 ? `${s.slice(0, 32)}…` : s);

/** A number as the URL writes one (`0`, `-1.5`, `1e9`); NaN otherwise. */
function parseNumber(s: string): number {
  return s.trim() === '' ? NaN : Number(s);
}

/**
 * Reads an options value (`stack,log,min:0,unit:bytes`): the options, and what was wrong with the
 * rest (each part named). Unknown or malformed parts are left out, never guessed.
 */
export function parsePanelOptions(value: string): { options: PanelOptions; problems: string[] } {
  const options: PanelOptions = {};
  const problems: string[] = [];
  if (value.length > MAX_PANEL_OPTIONS_CHARS) return { options, problems: [`longer than ${MAX_PANEL_OPTIONS_CHARS} characters`] };
  for (const part of value.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const colon = item.indexOf(':');
    const name = colon === -1 ? item : item.slice(0, colon);
    const arg = colon === -1 ? '' : item.slice(colon + 1);
    const flag = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).find((k) => FLAGS[k] === name);
    if (flag && colon === -1) options[flag] = true;
    else if (name === 'min' || name === 'max') {
      const n = parseNumber(arg);
      if (Number.isFinite(n)) options[name] = n;
      else problems.push(`${name} ${clip(arg)} is not a number`);
    } else if (name === 'unit') {
      if ((UNITS as readonly string[]).includes(arg)) options.unit = arg as Unit;
      else problems.push(`unit ${clip(arg)} is not one of ${UNITS.join(', ')}`);
    } else problems.push(`${clip(item)} is not an option (stack, percent, log, int, heatmap, min:n, max:n, unit:u)`);
  }
  if (options.min !== undefined && options.max !== undefined && !(options.max > options.min)) {
    problems.push(`max ${options.max} is not above min ${options.min}`);
    delete options.max;
  }
  return { options, problems };
}

/** Every panel's options a URL's parameters set, and one note saying what was ignored (or null). */
export function panelOptionsFrom(params: Record<string, string | string[] | undefined>): { panels: Record<string, PanelOptions>; hidden: Record<string, string[]>; note: string | null } {
  // Gathered in a Map, then a plain object (what may pass from the server to the page): a
  // `p.__proto__` parameter becomes an own property, not the prototype.
  const panels = new Map<string, PanelOptions>();
  const problems: string[] = [];
  let seen = 0;
  for (const [name, raw] of Object.entries(params)) {
    if (!name.startsWith(PANEL_PARAM_PREFIX)) continue;
    const id = name.slice(PANEL_PARAM_PREFIX.length);
    if (++seen > MAX_PANEL_PARAMS) {
      problems.push(`more than ${MAX_PANEL_PARAMS} panels' options: the rest are ignored`);
      break;
    }
    const value = Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
    const { options, problems: wrong } = parsePanelOptions(value);
    if (Object.keys(options).length > 0) panels.set(id, options);
    for (const w of wrong) problems.push(`${clip(id)}: ${w}`);
  }
  const hidden = new Map<string, string[]>();
  let hiddenSeen = 0;
  for (const [name, raw] of Object.entries(params)) {
    if (!name.startsWith(HIDDEN_PARAM_PREFIX)) continue;
    const id = name.slice(HIDDEN_PARAM_PREFIX.length);
    if (++hiddenSeen > MAX_PANEL_PARAMS) {
      problems.push(`more than ${MAX_PANEL_PARAMS} panels' hidden lines: the rest are ignored`);
      break;
    }
    const value = Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
    // Bounded before it is split: at most MAX_HIDDEN_LINES keys of MAX_HIDDEN_KEY_CHARS.
    if (value.length > MAX_HIDDEN_LINES * (MAX_HIDDEN_KEY_CHARS + 1)) {
      problems.push(`${clip(id)}: hidden lines longer than ${MAX_HIDDEN_LINES * (MAX_HIDDEN_KEY_CHARS + 1)} characters`);
      continue;
    }
    const keys = [...new Set(value.split('\n').filter((k) => k !== '' && k.length <= MAX_HIDDEN_KEY_CHARS))];
    if (keys.length > MAX_HIDDEN_LINES) problems.push(`${clip(id)}: more than ${MAX_HIDDEN_LINES} hidden lines, the first ${MAX_HIDDEN_LINES} kept`);
    if (keys.length > 0) hidden.set(id, keys.slice(0, MAX_HIDDEN_LINES));
  }
  const all = Object.fromEntries(panels);
  const off = Object.fromEntries(hidden);
  if (problems.length === 0) return { panels: all, hidden: off, note: null };
  const shown = problems.slice(0, 3).join('; ');
  return { panels: all, hidden: off, note: `Panel options ignored: ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}.` };
}
