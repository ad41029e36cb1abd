/** The Events view: the live event / audit log with kind and text filters. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class EventsPage {
  readonly view: Locator;
  readonly list: Locator;
  readonly search: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('events-view');
    this.list = app.testId('event-list');
    this.search = app.testId('events-search');
  }

  async open(): Promise<void> {
    await this.app.go('#/events');
    await expect(this.view).toBeVisible();
  }

  kindToggle(kind: string): Locator {
    return this.app.testId(`kind-${kind}`);
  }

  /** events held by the view (the list itself is virtualised: only visible rows are in the DOM) */
  async total(): Promise<number> {
    return Number(await this.app.testId('events-count').getAttribute('data-total'));
  }

  async shown(): Promise<number> {
    return Number(await this.app.testId('events-count').getAttribute('data-shown'));
  }

  rows(kind?: string): Locator {
    return this.list.locator(kind ? `.event-row[data-kind="${kind}"]` : '.event-row');
  }
}
