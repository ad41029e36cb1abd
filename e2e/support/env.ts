/**
 * Where the four test servers listen and the tokens they accept (see fixtures/tokens.txt).
 * VFIOSCOPE_E2E_PORT moves the four ports (so two runs can share a machine).
 */
export const DEFAULT_PORT = Number(process.env.VFIOSCOPE_E2E_PORT ?? 17170);
export const STORM_PORT = DEFAULT_PORT + 1;
/** the sim's "large" scenario (281 groups), for the scale tests */
export const LARGE_PORT = DEFAULT_PORT + 2;
/** the sim's "demo" scenario: the default host playing a 90 s script, looping; win11-cad's GPU storms at 00:10 for 25 s */
export const DEMO_PORT = DEFAULT_PORT + 3;
export const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;
export const STORM_URL = `http://127.0.0.1:${STORM_PORT}`;
export const LARGE_URL = `http://127.0.0.1:${LARGE_PORT}`;
export const DEMO_URL = `http://127.0.0.1:${DEMO_PORT}`;
export const OPERATOR_TOKEN = 'e2e-operator-token-0001';
export const VIEWER_TOKEN = 'e2e-viewer-token-0001';

/** Devices of the default scenario the tests drive (packages/host-sim/src/scenarios/default.ts). */
export const DEVICES = {
  /** QEMU edu: INTx via BAR0 0x60 (raise) / 0x64 (ack), no reset */
  edu: '0000:65:00.0',
  /** RTX A6000 held by the win11-cad VM, with its HDMI audio in the same group */
  vmGpu: '0000:17:00.0',
  vmGpuAudio: '0000:17:00.1',
  /** NVMe held by the win11-cad VM: bursty MSI-X load */
  vmNvme: '0000:4c:00.0',
  /** a free vfio-pci NVMe that offers reset */
  freeNvme: '0000:b2:00.0',
  /** a free vfio-pci E810 VF, alone in its group, for DMA */
  freeVf: '0000:32:00.5',
  /** a GPU whose group is not viable: its HDMI audio function is on snd_hda_intel */
  blockedGpu: '0000:98:00.0',
  blockedGpuAudio: '0000:98:00.1',
  /** the BMC VGA behind the ASPEED bridge, bound to ast: its group is not viable */
  bmcVga: '0000:02:00.0',
  /** the PCH SATA controller, alone in its group, bound to ahci: not viable until rebound */
  sata: '0000:00:17.0',
} as const;

/** The storm scenario's VF whose MSI-X vector 0 storms 3 s after start (scenarios/storm.ts). */
export const STORM_VF = '0000:03:00.0';

export const SCREENSHOTS = new URL('../screenshots/', import.meta.url).pathname;
/**
 * The screenshots the README's operator's guide shows: written into docs/ only when asked
 * (VFIOSCOPE_DOC_SCREENSHOTS=1 bash e2e/run.sh), so a test run leaves the checkout as it was.
 */
export const DOC_SCREENSHOTS = process.env.VFIOSCOPE_DOC_SCREENSHOTS
  ? new URL('../../docs/screenshots/', import.meta.url).pathname
  : SCREENSHOTS;
