/**
 * The dashboard as a whole: logging in with a token (the login URL carries
 * ?token=…), routing by hash, the host bar, and saving screenshots.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { OPERATOR_TOKEN, SCREENSHOTS } from '../support/env.ts';

export class AppPage {
  readonly hostBar: Locator;
  readonly role: Locator;
  readonly connection: Locator;
  readonly stormBanner: Locator;

  constructor(
    readonly page: Page,
    readonly baseUrl?: string,
  ) {
    this.hostBar = page.getByTestId('host-bar');
    this.role = page.getByTestId('role');
    this.connection = page.getByTestId('connection');
    this.stormBanner = page.getByTestId('storm-banner');
  }

  /** open the login URL, as printed by `vfioscope serve`, at a route */
  async login(token: string = OPERATOR_TOKEN, hash = '#/topology'): Promise<void> {
    await this.page.goto(`${this.baseUrl ?? ''}/?token=${encodeURIComponent(token)}${hash}`);
    await expect(this.page.getByTestId('app')).toBeVisible();
    await expect(this.connection).toHaveAttribute('data-state', 'open');
  }

  async go(hash: string): Promise<void> {
    // evaluated as a string: this file is typechecked without the DOM lib
    await this.page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  }

  testId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** a screenshot of the view from its top, for e2e/screenshots/ (or `dir`, e.g. DOC_SCREENSHOTS) */
  async screenshot(name: string, dir: string = SCREENSHOTS): Promise<void> {
    await this.page.evaluate("document.querySelector('.page')?.scrollTo(0, 0)");
    await this.page.mouse.move(0, 0);
    // let the last live frame settle so charts are drawn
    await this.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await this.page.screenshot({ path: `${dir}${name}.png` });
  }
}
