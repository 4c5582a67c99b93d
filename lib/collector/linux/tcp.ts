import { forEachLine } from './text';

/** TCP states by the hex code in the `st` column of /proc/net/tcp, as node_exporter names them. */
export const TCP_STATES: Readonly<Record<string, string>> = {
  '01': 'established',
  '02': 'syn_sent',
  '03': 'syn_recv',
  '04': 'fin_wait1',
  '05': 'fin_wait2',
  '06': 'time_wait',
  '07': 'close',
  '08': 'close_wait',
  '09': 'last_ack',
  '0A': 'listen',
  '0B': 'closing',
};

/** States always published, at 0 when no socket is in them, so the dashboard's lines do not break. */
export const ALWAYS_TCP_STATES = ['established', 'listen', 'time_wait', 'close_wait'] as const;

/** Connection counts by state name; `truncated` when the input or the line cap cut the table short. */
export interface TcpStates {
  counts: Record<string, number>;
  truncated: boolean;
}

// 256 KiB of /proc/net/tcp is about 1,700 sockets at 150 bytes a line (4 MiB, 28,000).
const MAX_LINES = 65_536;

/**
 * Counts the sockets of /proc/net/tcp or tcp6 by state. The header and lines whose fourth column is
 * not a known state are skipped. `truncated` passes on the reader's verdict (the file was larger
 * than its byte cap) or says the line cap was reached.
 */
export function parseTcpStates(text: string, truncated = false): TcpStates {
  const counts = Object.create(null) as Record<string, number>;
  const walk = forEachLine(
    text,
    MAX_LINES,
    (line) => {
      // `  12: 0100007F:853D 0100007F:89F0 01 ...`: the state is the fourth field.
      let field = 0;
      let start = -1;
      for (let i = 0; i <= line.length && i < 512; i++) {
        const space = i === line.length || line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9;
        if (!space && start < 0) start = i;
        else if (space && start >= 0) {
          if (field === 3) {
            const state = TCP_STATES[line.slice(start, i).toUpperCase()];
            if (state !== undefined) counts[state] = (counts[state] ?? 0) + 1;
            return;
          }
          field++;
          start = -1;
        }
      }
    },
    512,
  );
  return { counts, truncated: truncated || walk.capped };
}
