/**
 * Interrupts per CPU on the default scenario: a VM's busy vector shows which
 * CPU takes its interrupts (the heat strip, like `irqtop -c`) and its
 * affinity; the operator moves it to another CPU and the strip follows.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { InterruptsPage } from '../pages/interrupts-page.ts';

test("moving a vector's affinity moves its interrupts to the new CPU", async ({ page }) => {
  // the default host's busiest VF has 65 vectors on 64 CPUs; on a loaded 2-core machine the steps add up
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await app.login(undefined, '#/interrupts');
  const irqs = new InterruptsPage(app);
  await expect(irqs.view).toBeVisible();
  // the busiest device: expand it and take its first vector that has a host IRQ
  const top = irqs.groupRows.first();
  await expect(top).toBeVisible();
  await top.getByRole('button', { name: /show the vectors of/ }).click();
  const strip = irqs.view.locator('[data-testid^="heat-"]').first();
  await expect(strip).toBeVisible();
  const key = ((await strip.getAttribute('data-testid')) ?? '').replace(/^heat-/, '');
  await expect.poll(() => irqs.effectiveCpu(key)).not.toBeNull();
  const from = (await irqs.effectiveCpu(key))!;
  // single-target delivery: every interrupt lands on the effective CPU
  await expect.poll(() => irqs.busyCpus(key)).toEqual([from]);
  const to = from === 0 ? 1 : 0;

  await irqs.setAffinity(key, String(to));
  await expect(app.testId('toast').filter({ hasText: `may run on CPUs ${to}` })).toBeVisible();
  // the stream brings the kernel's new state within a tick or two (slower on a loaded CI machine)
  const live = { timeout: 20_000 };
  await expect(app.testId(`affinity-${key}`)).toContainText(`affinity ${to} · effective ${to}`, live);
  await expect.poll(() => irqs.effectiveCpu(key), live).toBe(to);
  await expect.poll(() => irqs.busyCpus(key), live).toEqual([to]);

  // a CPU the host does not have: the kernel's ERANGE, shown as the answer
  await irqs.setAffinity(key, '4095');
  await expect(app.testId('toast').filter({ hasText: /ERANGE.*past the host's last possible CPU/ })).toBeVisible();
  await expect.poll(() => irqs.effectiveCpu(key), live).toBe(to);
});
