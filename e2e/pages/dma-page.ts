/** The DMA view: container tabs, the virtualised mapping table, map / unmap, gauges. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class DmaPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly mapAnswer: Locator;
  readonly unmapAnswer: Locator;
  readonly pinnedGauge: Locator;
  readonly entriesGauge: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('dma-view');
    this.table = app.testId('mapping-table');
    this.mapAnswer = app.testId('map-answer');
    this.unmapAnswer = app.testId('unmap-answer');
    this.pinnedGauge = app.testId('pinned-gauge');
    this.entriesGauge = app.testId('entries-gauge');
  }

  async open(container: number): Promise<void> {
    await this.app.go(`#/dma/${container}`);
    await expect(this.app.testId(`container-${container}`)).toBeVisible();
  }

  row(iova: string): Locator {
    return this.app.testId(`mapping-${iova}`);
  }

  /** the rows the virtualised table has in the DOM right now, in display order */
  get renderedRows(): Locator {
    return this.table.locator('[role="row"][data-iova]');
  }

  /** the IOVA of the topmost row in the DOM (the first shown while scrolled to the top) */
  async firstRenderedIova(): Promise<string | null> {
    return this.renderedRows.first().getAttribute('data-iova');
  }

  /** scroll the table body to its top or bottom, as a user dragging the scrollbar would */
  async scrollTo(where: 'top' | 'bottom'): Promise<void> {
    // evaluated as a string: this file is typechecked without the DOM lib
    await this.app.page.evaluate(
      `(() => { const el = document.querySelector('[data-testid="mapping-scroll"]'); el.scrollTop = ${where === 'top' ? '0' : 'el.scrollHeight'}; })()`,
    );
  }

  sortBy(column: 'iova' | 'size' | 'vaddr' | 'pages'): Locator {
    return this.app.testId(`sort-${column}`);
  }

  async rows(): Promise<number> {
    return Number(await this.table.getAttribute('data-rows'));
  }

  async pinnedBytes(): Promise<number> {
    return Number(await this.pinnedGauge.getAttribute('data-used'));
  }

  async fillMap(iova: string, size: string, unit: 'B' | 'KiB' | 'MiB' | 'GiB', flags = { read: true, write: true }): Promise<void> {
    await this.app.testId('map-iova').fill(iova);
    await this.app.testId('map-size').fill(size);
    await this.app.testId('map-unit').selectOption(unit);
    await this.app.testId('map-read').setChecked(flags.read);
    await this.app.testId('map-write').setChecked(flags.write);
  }

  async map(iova: string, size: string, unit: 'B' | 'KiB' | 'MiB' | 'GiB'): Promise<void> {
    await this.fillMap(iova, size, unit);
    await this.app.testId('map-submit').click();
    await expect(this.mapAnswer).toHaveAttribute('data-status', /ok|error/);
  }

  async unmapSelected(): Promise<void> {
    await this.app.testId('unmap-selected').click();
    await expect(this.unmapAnswer).toHaveAttribute('data-status', /ok|error/);
  }

  async unmapRange(iova: string, size: string, unit: string): Promise<void> {
    await this.app.testId('unmap-iova').fill(iova);
    await this.app.testId('unmap-size').fill(size);
    await this.app.page.getByLabel('unmap size unit').selectOption(unit);
    await this.app.testId('unmap-range').click();
    await expect(this.unmapAnswer).toHaveAttribute('data-status', /ok|error/);
  }
}
