import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.ts';
import { fleetFlags, parseServeFlags } from '../cli/serve-command.ts';
import { loadPeersFile } from './peers-file.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vfioscope-peers-'));
  writeFileSync(join(dir, 'a.token'), 'peer-a-token-0123\n');
  writeFileSync(join(dir, 'ca.pem'), PEM);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Write a peers file of these entries and load it as the host "hub". */
function load(entries: unknown): ReturnType<typeof loadPeersFile> {
  const file = join(dir, 'peers.json');
  writeFileSync(file, typeof entries === 'string' ? entries : JSON.stringify(entries));
  return loadPeersFile(file, 'hub');
}

const ok = { name: 'gpu-07', url: 'https://gpu-07.lab:7070', tokenFile: 'a.token', ca: 'ca.pem' };

describe('peers file (serve --peers)', () => {
  it('reads each peer with its token and CA, paths relative to the file', () => {
    const [p, q] = load([ok, { name: 'edu.1', url: 'http://127.0.0.1:7071/', tokenFile: join(dir, 'a.token') }]);
    expect(p).toMatchObject({ name: 'gpu-07', token: 'peer-a-token-0123' });
    expect(p!.url.origin).toBe('https://gpu-07.lab:7070');
    expect(p!.ca?.toString()).toBe(PEM);
    expect(q).toMatchObject({ name: 'edu.1', ca: null });
    expect(q!.url.origin).toBe('http://127.0.0.1:7071');
  });

  it.each([
    [[{ ...ok, name: '-gpu' }], 'peers[0] ("-gpu").name: must be 1–63 letters'],
    [[{ ...ok, name: 'gpu 7' }], '.name: must be 1–63 letters'],
    [[{ ...ok, name: 'HUB' }], 'peers[0] ("HUB").name: "HUB" is this server\'s own name (--name)'],
    [[ok, { ...ok, url: 'https://other:7070' }], 'peers[1] ("gpu-07").name: "gpu-07" is also the name of peers[0]'],
    [[{ ...ok, url: 'gpu-07:7070' }], '.url: must be http:// or https://'],
    [[{ ...ok, url: 'not a url' }], '.url: "not a url" is not a URL'],
    [[{ ...ok, url: 'https://gpu-07.lab:7070/vfio' }], ".url: must be the server's origin only"],
    [[{ ...ok, url: 'https://me:pw@gpu-07.lab:7070' }], '.url: must not carry credentials'],
    [[{ ...ok, url: 'http://gpu-07.lab:7070', ca: undefined }], '.url: http:// to gpu-07.lab would send the token in clear'],
    [[{ ...ok, tokenFile: 'missing.token' }], /peers\[0\] \("gpu-07"\)\.tokenFile: cannot read \/.*missing\.token \(ENOENT\)/],
    [[{ ...ok, tokenFile: 7 }], '.tokenFile: must be the path of a file'],
    [[{ ...ok, ca: 'a.token' }], '.ca: '],
    [[{ ...ok, port: 7070 }], 'peers[0] ("gpu-07").port: unknown field'],
    [[null], 'peers[0]: must be an object'],
    [ok, 'expected a JSON array'],
    ['[{"name":', 'not valid JSON'],
  ])('refuses %j, naming the entry and field', (entries, message) => {
    expect(() => load(entries)).toThrow(message);
  });

  it('takes a plain-http peer off loopback only when the entry says insecureHttp', () => {
    expect(load([{ name: 'lab', url: 'http://10.0.0.7:7070', tokenFile: 'a.token', insecureHttp: true }])[0]!.url.protocol).toBe('http:');
  });

  it('refuses a token file without a token', () => {
    writeFileSync(join(dir, 'empty.token'), '\n');
    expect(() => load([{ ...ok, tokenFile: 'empty.token' }])).toThrow('.tokenFile: ');
  });

  it('stops `serve` with a usage error, and --name is checked too', () => {
    writeFileSync(join(dir, 'peers.json'), JSON.stringify([{ ...ok, tokenFile: 'nope' }]));
    expect(() => fleetFlags(parseServeFlags(['--peers', join(dir, 'peers.json')]))).toThrow(UsageError);
    expect(() => fleetFlags(parseServeFlags(['--peers', join(dir, 'none.json')]))).toThrow('--peers: ');
    expect(() => fleetFlags(parseServeFlags(['--name', 'not/ok']))).toThrow('--name must be');
    writeFileSync(join(dir, 'peers.json'), JSON.stringify([ok]));
    const fleet = fleetFlags(parseServeFlags(['--name', 'hub', '--peers', join(dir, 'peers.json')]));
    expect(fleet.name).toBe('hub');
    expect(fleet.peers?.map((p) => p.name)).toEqual(['gpu-07']);
  });
});
