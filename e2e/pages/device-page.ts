/** The Device view: device fd info, IRQ indexes with live vectors, reset, region I/O. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class DevicePage {
  readonly view: Locator;
  readonly openGroupButton: Locator;
  readonly held: Locator;
  readonly resetButton: Locator;
  readonly resetAnswer: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('device-view');
    this.openGroupButton = app.testId('device-open-group');
    this.held = app.testId('device-held');
    this.resetButton = app.testId('device-reset');
    this.resetAnswer = app.testId('reset-answer');
  }

  async open(bdf: string): Promise<void> {
    await this.app.go(`#/device/${bdf}`);
    await expect(this.view).toHaveAttribute('data-bdf', bdf);
    // the device topic's first snapshot decides between "held" and "not held"
    await expect(this.held.or(this.app.testId('device-not-held'))).toBeVisible();
  }

  /** open the device's group in vfioscope (a new container) unless it already holds it, confirming when asked */
  async ensureHeld(): Promise<void> {
    if (!(await this.held.isVisible())) {
      await this.openGroupButton.click();
      // a passthrough candidate (a NIC, an NVMe) asks first: opening it here takes it from any VM
      const dialog = this.app.testId('confirm-dialog');
      await expect(this.held.or(dialog)).toBeVisible();
      if (await dialog.isVisible()) await this.app.testId('confirm-ok').click();
      await expect(this.held).toBeVisible();
    }
  }

  irqIndex(name: string): Locator {
    return this.app.testId(`irq-${name}`);
  }

  irqButton(name: string, action: 'trigger' | 'mask' | 'unmask' | 'disable'): Locator {
    return this.app.testId(`irq-${name}-${action}`);
  }

  irqAnswer(name: string): Locator {
    return this.app.testId(`irq-${name}-answer`);
  }

  vector(name: string, vector: number) {
    const id = `vector-${name}-${vector}`;
    return {
      card: this.app.testId(id),
      rate: this.app.testId(`${id}-rate`),
      count: this.app.testId(`${id}-count`),
      chart: this.app.testId(`${id}-chart`),
    };
  }

  async vectorCount(name: string, vector: number): Promise<number> {
    return Number(await this.vector(name, vector).count.getAttribute('data-count'));
  }

  async chartPoints(name: string, vector: number): Promise<number> {
    return Number(await this.vector(name, vector).chart.getAttribute('data-points'));
  }

  /** the time (ms epoch) of the chart's newest point */
  async chartLastT(name: string, vector: number): Promise<number> {
    return Number(await this.vector(name, vector).chart.getAttribute('data-last-t'));
  }

  /** pwrite to a region through the Region I/O panel, confirming the dialog */
  async writeRegion(regionIndex: number, offset: string, value: string): Promise<Locator> {
    await this.app.testId('rio-region').selectOption(String(regionIndex));
    await this.app.testId('rio-offset').fill(offset);
    await this.app.testId('rio-data').fill(value);
    await this.app.testId('rio-write').click();
    await expect(this.app.testId('confirm-dialog')).toBeVisible();
    await this.app.testId('confirm-ok').click();
    const answer = this.app.testId('rio-write-answer');
    await expect(answer).not.toHaveAttribute('data-status', 'pending');
    return answer;
  }

  async reset(): Promise<void> {
    await this.resetButton.click();
    await this.app.testId('confirm-ok').click();
    await expect(this.resetAnswer).not.toHaveAttribute('data-status', 'pending');
  }
}
