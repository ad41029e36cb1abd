/** The Interrupts view: host-wide top vectors and storm alerts with history. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class InterruptsPage {
  readonly view: Locator;
  readonly topVectors: Locator;
  readonly alerts: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('interrupts-view');
    this.topVectors = app.testId('top-vectors');
    this.alerts = app.testId('alert-history');
  }

  async open(): Promise<void> {
    await this.app.go('#/interrupts');
    await expect(this.view).toBeVisible();
  }
}
