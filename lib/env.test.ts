import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env';

/** The EnvError `parseEnv(source)` throws; fails the test when it does not throw one. */
function envError(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (err) {
    if (err instanceof EnvError) return err;
    throw err;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(source)}`);
}

describe('parseEnv', () => {
  it('fills in the defaults for an empty environment', () => {
    expect(parseEnv({})).toMatchObject({
      PORT: 3000,
      INSTANCE: hostname(),
      COLLECT_INTERVAL: 1_000,
      HISTORY_RETENTION: 3_600_000,
      HISTORY_MAX_POINTS: 7_200,
      MAX_SERIES: 10_000,
      HEARTBEAT_INTERVAL: 15_000,
      STREAM_RETRY: 3_000,
      STREAM_MAX_QUEUE_BYTES: 1_048_576,
      SHUTDOWN_TIMEOUT: 10_000,
    });
  });

  it.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2500', 2_500],
    ['1.5s', 1_500],
    [' 30s ', 30_000],
    ['10 s', 10_000],
  ])('reads the duration %j as %i ms', (raw, ms) => {
    expect(parseEnv({ COLLECT_INTERVAL: raw }).COLLECT_INTERVAL).toBe(ms);
  });

  it('reads days for long settings such as the history retention', () => {
    expect(parseEnv({ HISTORY_RETENTION: '2d' }).HISTORY_RETENTION).toBe(2 * 86_400_000);
  });

  it.each([
    ['1048576', 1_048_576],
    ['64KiB', 65_536],
    ['1MiB', 1_048_576],
    ['4 MiB', 4 * 1_048_576],
    ['1GiB', 1_073_741_824],
  ])('reads the size %j as %i bytes', (raw, bytes) => {
    expect(parseEnv({ STREAM_MAX_QUEUE_BYTES: raw }).STREAM_MAX_QUEUE_BYTES).toBe(bytes);
  });

  it('reads plain whole numbers and keeps INSTANCE as given', () => {
    const env = parseEnv({ PORT: '8080', MAX_SERIES: '50', INSTANCE: 'web-1' });
    expect(env.PORT).toBe(8080);
    expect(env.MAX_SERIES).toBe(50);
    expect(env.INSTANCE).toBe('web-1');
  });

  it('treats empty and blank strings as unset', () => {
    const env = parseEnv({ COLLECT_INTERVAL: '', HEARTBEAT_INTERVAL: '   ', INSTANCE: '', PORT: '' });
    expect(env.COLLECT_INTERVAL).toBe(1_000);
    expect(env.HEARTBEAT_INTERVAL).toBe(15_000);
    expect(env.INSTANCE).toBe(hostname());
    expect(env.PORT).toBe(3000);
  });

  it('ignores variables it does not know', () => {
    expect(parseEnv({ PATH: '/usr/bin', NODE_ENV: 'test' })).toEqual(parseEnv({}));
  });

  it('throws an EnvError naming the variable, the value and what it accepts', () => {
    const err = envError({ COLLECT_INTERVAL: 'fast' });
    expect(err.name).toBe('EnvError');
    expect(err.message).toContain('COLLECT_INTERVAL');
    expect(err.message).toContain('"fast"');
    expect(err.message).toMatch(/500ms, 15s, 5m or 1h/);
    expect(err.message).toContain('between 100 ms and 3600000 ms');
  });

  it.each([
    ['COLLECT_INTERVAL', '50ms'], // below the minimum
    ['HEARTBEAT_INTERVAL', '1w'], // unknown unit
    ['HEARTBEAT_INTERVAL', '-5s'],
    ['HISTORY_RETENTION', '8d'], // above the maximum
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['STREAM_MAX_QUEUE_BYTES', '1MB'], // decimal suffixes are not accepted
    ['STREAM_MAX_QUEUE_BYTES', '512'], // below 1 KiB
    ['MAX_SERIES', '0'],
    ['INSTANCE', 'x'.repeat(129)],
    ['REDIS_URL', 'localhost:6379'], // no scheme
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_STREAM_MAXLEN', '10'], // below the minimum
  ])('refuses %s=%j', (name, raw) => {
    expect(envError({ [name]: raw }).message).toContain(`${name}:`);
  });

  it('runs embedded without REDIS_URL, and with it names each instance by host and port unless INSTANCE is set', () => {
    expect(parseEnv({}).REDIS_URL).toBeUndefined();
    const env = parseEnv({ REDIS_URL: 'redis://127.0.0.1:6390', PORT: '3001' });
    expect(env).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6390',
      INSTANCE: `${hostname()}:3001`,
      REDIS_STREAM_KEY: 'pulseboard:points',
      REDIS_STREAM_MAXLEN: 20_000,
      REDIS_OUTBOX_MAX_BYTES: 4 * 1_048_576,
      REDIS_RECONNECT_MAX: 5_000,
      REDIS_COMMAND_TIMEOUT: 5_000,
    });
    expect(parseEnv({ REDIS_URL: 'rediss://u:p@cache:6380/0', INSTANCE: 'web-1' }).INSTANCE).toBe('web-1');
  });

  it('names a bad size variable and the numbers it accepts', () => {
    const { message } = envError({ STREAM_MAX_QUEUE_BYTES: 'lots' });
    expect(message).toContain('STREAM_MAX_QUEUE_BYTES');
    expect(message).toContain('"lots"');
    expect(message).toContain('a whole number between 1024 and 1073741824');
  });

  it('names every bad variable in one message, and no good one', () => {
    const { message } = envError({ PORT: 'http', COLLECT_INTERVAL: 'soon', STREAM_RETRY: '2s', MAX_SERIES: 'many' });
    const lines = message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0]).sort()).toEqual(['COLLECT_INTERVAL', 'MAX_SERIES', 'PORT']);
    expect(message).not.toContain('STREAM_RETRY');
  });
});
