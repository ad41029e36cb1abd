/** The Interrupts view: host-wide top vectors (grouped, sortable, stably ranked) and storm alerts with history. */
import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.ts';

export class InterruptsPage {
  readonly view: Locator;
  readonly topVectors: Locator;
  readonly alerts: Locator;
  readonly alertChart: Locator;
  readonly pause: Locator;

  constructor(readonly app: AppPage) {
    this.view = app.testId('interrupts-view');
    this.topVectors = app.testId('top-vectors');
    this.alerts = app.testId('alert-history');
    this.alertChart = app.testId('alert-chart');
    this.pause = app.testId('top-pause');
  }

  /** the group rows (one per device, or per owner), in display order */
  get groupRows(): Locator {
    return this.topVectors.locator('tbody tr.top-group');
  }

  groupRow(key: string): Locator {
    return this.app.testId(`top-group-${key}`);
  }

  /** the keys of the group rows, in display order */
  async order(): Promise<string[]> {
    return Promise.all((await this.groupRows.all()).map(async (r) => (await r.getAttribute('data-key')) ?? ''));
  }

  sortBy(column: 'device' | 'owner' | 'vectors' | 'rate' | 'count'): Locator {
    return this.app.testId(`top-sort-${column}`);
  }

  groupBy(by: 'device' | 'owner'): Locator {
    return this.app.testId(`top-by-${by}`);
  }

  /** a vector's per-CPU heat strip: data-busy lists the CPUs that took interrupts last tick, data-effective the target */
  heat(vectorKey: string): Locator {
    return this.app.testId(`heat-${vectorKey}`);
  }

  /** the CPU the vector is programmed to (effective_affinity_list), from its heat strip */
  async effectiveCpu(vectorKey: string): Promise<number | null> {
    const v = await this.heat(vectorKey).getAttribute('data-effective');
    return v ? Number(v.split(',')[0]) : null;
  }

  /** the CPUs that took the vector's interrupts in the last tick */
  async busyCpus(vectorKey: string): Promise<number[]> {
    const v = await this.heat(vectorKey).getAttribute('data-busy');
    return v ? v.split(',').map(Number) : [];
  }

  async setAffinity(vectorKey: string, cpus: string): Promise<void> {
    await this.app.testId(`affinity-input-${vectorKey}`).fill(cpus);
    await this.app.testId(`affinity-set-${vectorKey}`).click();
  }

  async open(): Promise<void> {
    await this.app.go('#/interrupts');
    await expect(this.view).toBeVisible();
  }
}
