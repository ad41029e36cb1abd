/**
 * The Fleet page (a hub's `#/fleet`: one row per host, live, filter and
 * sort) and the host switcher in the host bar, which switches the whole UI
 * to another host of the fleet (`#/hosts/<name>/<view>`).
 */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class FleetPage {
  readonly view: Locator;
  readonly navLink: Locator;
  readonly filter: Locator;
  readonly sort: Locator;
  readonly switcher: Locator;
  /** the app root: data-host names the host shown */
  readonly root: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('fleet');
    this.navLink = app.testId('nav-fleet');
    this.filter = app.page.getByLabel('Filter hosts');
    this.sort = app.page.getByLabel('Sort hosts');
    this.switcher = app.testId('host-switcher');
    this.root = app.testId('app');
  }

  async open(): Promise<void> {
    await this.app.go('#/fleet');
    await expect(this.view).toBeVisible();
  }

  /** the host's row: data-state up|down, data-trouble, data-storms */
  row(host: string): Locator {
    return this.app.testId(`fleet-host-${host}`);
  }

  /** the link in the host's name cell, to its topology */
  link(host: string): Locator {
    return this.row(host).getByRole('link', { name: host, exact: true });
  }

  get rows(): Locator {
    return this.view.locator('tr[data-testid^="fleet-host-"]');
  }

  async storms(host: string): Promise<number> {
    return Number(await this.row(host).getAttribute('data-storms'));
  }

  /** the host switcher's option values, in order */
  async switcherHosts(): Promise<string[]> {
    const options = await this.switcher.locator('option').all();
    return Promise.all(options.map(async (o) => (await o.getAttribute('value')) ?? ''));
  }

  /** the page's hash route, e.g. "#/hosts/gpu-07/topology" */
  hash(): Promise<string> {
    // a string: this file is typechecked without the DOM lib
    return this.app.page.evaluate('window.location.hash') as Promise<string>;
  }
}
