import { describe, expect, it } from 'vitest';
import { parseTokenFile, TokenStore, tokenId } from './tokens.ts';
import { originAllowed } from './request-origin.ts';

describe('token files', () => {
  it('reads JSON arrays, { tokens } objects and role:token lines', () => {
    expect(parseTokenFile('[{"token":"aaaaaaaa1","role":"viewer","id":"alice"}]')).toEqual([
      { token: 'aaaaaaaa1', role: 'viewer', id: 'alice' },
    ]);
    expect(parseTokenFile('{"tokens":[{"token":"bbbbbbbb2","role":"operator"}]}')).toEqual([{ token: 'bbbbbbbb2', role: 'operator' }]);
    expect(parseTokenFile('# ops\nviewer:cccccccc3\n\noperator:dddddddd4\n')).toEqual([
      { role: 'viewer', token: 'cccccccc3' },
      { role: 'operator', token: 'dddddddd4' },
    ]);
  });

  it('reads a hub token as an operator that is marked a hub', () => {
    expect(parseTokenFile('hub:eeeeeeee5\n')).toEqual([{ role: 'operator', hub: true, token: 'eeeeeeee5' }]);
    expect(parseTokenFile('[{"token":"ffffffff6","role":"hub","id":"fleet"}]')).toEqual([
      { token: 'ffffffff6', role: 'operator', hub: true, id: 'fleet' },
    ]);
    const s = new TokenStore(parseTokenFile('hub:eeeeeeee5\noperator:gggggggg7'));
    expect(s.check('eeeeeeee5')).toEqual({ role: 'operator', hub: true, tokenId: tokenId('eeeeeeee5') });
    expect(s.check('gggggggg7')).toEqual({ role: 'operator', tokenId: tokenId('gggggggg7') });
  });

  it('names the line or entry that is wrong', () => {
    expect(() => parseTokenFile('admin:xxxxxxxx', 't.txt')).toThrow('t.txt:1: expected "viewer:TOKEN", "operator:TOKEN" or "hub:TOKEN"');
    expect(() => parseTokenFile('[{"token":"x","role":"root"}]', 't.json')).toThrow('tokens[0].role must be "viewer", "operator" or "hub"');
    expect(() => parseTokenFile('{"tokens":', 't.json')).toThrow('not valid JSON');
    expect(() => parseTokenFile('\n# nothing\n', 't.txt')).toThrow('no tokens');
  });
});

describe('TokenStore', () => {
  it('maps a token to its role and public id, and nothing else', () => {
    const s = new TokenStore([
      { token: 'operator-secret', role: 'operator' },
      { token: 'viewer-secret', role: 'viewer', id: 'wall' },
    ]);
    expect(s.check('operator-secret')).toEqual({ role: 'operator', tokenId: tokenId('operator-secret') });
    expect(s.check('viewer-secret')).toEqual({ role: 'viewer', tokenId: 'wall' });
    expect(s.check('viewer-secreT')).toBeNull();
    expect(s.check('')).toBeNull();
    expect(s.check(null)).toBeNull();
    expect(tokenId('operator-secret')).not.toContain('secret');
  });

  it('refuses short tokens', () => {
    expect(() => new TokenStore([{ token: 'short', role: 'viewer' }])).toThrow('too short');
  });
});

describe('WebSocket Origin check', () => {
  it('allows no Origin, the same host, and the allow-list only', () => {
    expect(originAllowed(undefined, '127.0.0.1:7070', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:7070', '127.0.0.1:7070', [])).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:7070', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:7071', '127.0.0.1:7070', [])).toBe(false);
    expect(originAllowed('http://dash.example', '127.0.0.1:7070', ['http://dash.example'])).toBe(true);
    expect(originAllowed('null', '127.0.0.1:7070', [])).toBe(false);
  });
});
