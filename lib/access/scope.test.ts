import { describe, expect, it } from 'vitest';
import { hashPassword, scopeProblem } from '../cli/pulseboard.mjs';
import { compileScope, parseScope, withinScope } from './scope';
import { compileSeriesFilter } from '@/lib/series';

const GOOD = ['team="payments"', '{team="payments"}', 'team="payments", env!="dev"', ' { team = "a\\"b" } ', 'http_*{team=~"pay*"}', 'up', 'job!~"x*"', 'a="1",b="2",c="3"'];
const BAD = ['', 'team=payments', 'team="x', '{team="x"', 'sum(up)', 'team="x"}', '9x="1"', 'team=="x"', 'up{', 'up{team="x"} junk'];

describe('scopes', () => {
  it('reads label matchers with or without braces, and selectors', () => {
    for (const s of GOOD) expect(() => parseScope(s), s).not.toThrow();
    for (const s of BAD) expect(() => parseScope(s), s).toThrow();
  });

  it('are checked by the CLI as the server reads them', () => {
    for (const s of [...GOOD, ...BAD]) {
      let server: string | null = null;
      try {
        parseScope(s);
      } catch (err) {
        server = (err as Error).message;
      }
      expect(scopeProblem(s) === null, `${JSON.stringify(s)}: CLI says ${scopeProblem(s)}, server ${server}`).toBe(server === null);
    }
  });

  it('match series keys by their labels, and narrow a filter', () => {
    const scope = compileScope('team="payments"');
    expect(scope.matches('http_requests_total{route="/pay",team="payments"}')).toBe(true);
    expect(scope.matches('http_requests_total{team="search"}')).toBe(false);
    expect(scope.matches('node_load1')).toBe(false);
    const both = withinScope(compileSeriesFilter(['http_*']), scope);
    expect(both.matches('http_x{team="payments"}')).toBe(true);
    expect(both.matches('db_x{team="payments"}')).toBe(false);
    expect(both.id).not.toBe(compileSeriesFilter(['http_*']).id);
  });
});

describe('CLI password hashes', () => {
  it('are verified by the server', async () => {
    const { verifyPassword } = await import('./password');
    const hash = await hashPassword('correct horse battery', { ln: 14, r: 8, p: 1 });
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(undefined, 'correct horse battery')).toBe(false);
    expect(await verifyPassword('$scrypt$ln=40,r=8,p=1$AAAA$BBBB', 'x')).toBe(false);
  });
});
