/**
 * The frame around the views: the sign-in screen and why it is shown, the
 * "disconnected, data as of …" notice, the app root's offline and
 * presentation state, toasts.
 */
import type { Locator, Page } from '@playwright/test';

export class ShellPage {
  readonly app: Locator;
  readonly login: Locator;
  readonly loginHeadline: Locator;
  readonly loginError: Locator;
  readonly tokenLocation: Locator;
  readonly offlineNotice: Locator;
  readonly dataAge: Locator;
  readonly toasts: Locator;
  readonly presentToggle: Locator;

  constructor(readonly page: Page) {
    this.app = page.getByTestId('app');
    this.login = page.getByTestId('login');
    this.loginHeadline = page.getByTestId('login-headline');
    this.loginError = page.getByTestId('login-error');
    this.tokenLocation = page.getByTestId('login-token-location');
    this.offlineNotice = page.getByTestId('offline-notice');
    this.dataAge = page.getByTestId('data-age');
    this.toasts = page.getByTestId('toast');
    this.presentToggle = page.getByTestId('present-toggle');
  }

  /** a computed style property of the first element matching `selector` */
  style(selector: string, prop: string): Promise<string> {
    // a string: this file is typechecked without the DOM lib
    return this.page.evaluate(
      `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return el ? getComputedStyle(el).getPropertyValue(${JSON.stringify(prop)}) : ''; })()`,
    );
  }
}
