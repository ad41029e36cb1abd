/** The Topology view: IOMMU group cards (virtualised), search and filters. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class TopologyPage {
  readonly view: Locator;
  readonly search: Locator;
  readonly count: Locator;
  readonly summary: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('topology-view');
    this.search = app.testId('topology-search');
    this.count = app.testId('topology-count');
    this.summary = app.testId('topology-summary');
  }

  async open(): Promise<void> {
    await this.app.go('#/topology');
    await expect(this.view).toBeVisible();
  }

  /** the card of the group holding `bdf`, found through the search box (the grid is virtualised) */
  async groupOf(bdf: string): Promise<Locator> {
    await this.search.fill(bdf);
    const card = this.view.locator('article.group-card', { has: this.app.page.getByTestId(`device-link-${bdf}`) });
    await expect(card).toHaveCount(1);
    return card;
  }

  /** the group cards the virtualised grid has in the DOM right now */
  get renderedCards(): Locator {
    return this.view.locator('article.group-card');
  }

  async scrollToBottom(): Promise<void> {
    // evaluated as a string: this file is typechecked without the DOM lib
    await this.app.page.evaluate(
      `(() => { const el = document.querySelector('[data-testid="topology-grid"]'); el.scrollTop = el.scrollHeight; })()`,
    );
  }

  async clearSearch(): Promise<void> {
    await this.search.fill('');
  }

  filter(name: 'all' | 'viable' | 'blocked' | 'vfioscope' | 'other-owner' | 'free'): Locator {
    return this.app.testId(`filter-${name}`);
  }
}
