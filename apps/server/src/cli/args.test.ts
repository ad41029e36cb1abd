import { describe, expect, it } from 'vitest';
import { numberFlag, parseFlags, UsageError } from './args.ts';
import { parseListen, defaultDataDir } from '../config.ts';

const SPEC = { listen: { value: true }, json: { value: false }, help: { value: false } };

describe('CLI flags', () => {
  it('accepts --flag value, --flag=value and switches', () => {
    expect(parseFlags(['--listen', '127.0.0.1:1', '--json'], SPEC)).toEqual({
      flags: { listen: '127.0.0.1:1', json: true },
      positionals: [],
    });
    expect(parseFlags(['--listen=:9', 'x'], SPEC)).toEqual({ flags: { listen: ':9' }, positionals: ['x'] });
    expect(parseFlags(['-h'], SPEC).flags.help).toBe(true);
  });

  it('refuses unknown, repeated, missing and unexpected values', () => {
    expect(() => parseFlags(['--port', '1'], SPEC)).toThrow(new UsageError('unknown option --port'));
    expect(() => parseFlags(['--listen'], SPEC)).toThrow('--listen needs a value');
    expect(() => parseFlags(['--listen', '--json'], SPEC)).toThrow('--listen needs a value');
    expect(() => parseFlags(['--json=yes'], SPEC)).toThrow('--json takes no value');
    expect(() => parseFlags(['--json', '--json'], SPEC)).toThrow('--json given twice');
    expect(() => parseFlags(['-x'], SPEC)).toThrow('unknown option -x');
  });

  it('checks numeric ranges', () => {
    const p = parseFlags(['--listen', '500'], SPEC);
    expect(numberFlag(p, 'json', 1, 100)).toBeUndefined();
    expect(() => numberFlag(p, 'listen', 1, 100)).toThrow('--listen must be a number from 1 to 100, got "500"');
  });
});

describe('listen addresses and the data dir', () => {
  it('parses host:port forms', () => {
    expect(parseListen('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen('localhost:70000')).toBeNull();
    expect(parseListen('host')).toBeNull();
  });

  it('defaults to the XDG state dir, else ~/.local/state', () => {
    expect(defaultDataDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/vfioscope');
    expect(defaultDataDir({ XDG_STATE_HOME: 'relative' })).toMatch(/\.local\/state\/vfioscope$/);
    expect(defaultDataDir({})).toMatch(/\.local\/state\/vfioscope$/);
  });
});
