import { expect, test } from '@playwright/test';
import { generatedEstate, type Estate } from '../helpers/estate';

// The matrix, the journeys view and the dashboards on a generated estate of 200 applications.
// The suite's own server shares one database with the other specs (whose stories expect a registry
// they fill themselves), so these views get a portal of their own (`helpers/estate.ts`). Each
// project (JavaScript on, off) runs it against its own portal.

let estate: Estate | undefined;
let baseURL = '';
let state = '';

test.beforeAll(async ({ browser }, info) => {
  test.setTimeout(120_000);
  const port = Number(process.env.PORTAL_E2E_PORT ?? 3100) + (info.project.name === 'js-off' ? 12 : 11);
  estate = await generatedEstate(browser, port, 200, 5);
  ({ baseURL, state } = estate);
});

test.afterAll(() => {
  estate?.stop();
});

test('the matrix of 200 applications: filters travel in the address, and a shared view opens as it was', async ({
  browser,
  javaScriptEnabled,
}, info) => {
  const context = await browser.newContext({ baseURL, storageState: state, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/matrix');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Consistency matrix');
  const table = page.getByRole('table', { name: /Consistency matrix/ });
  await expect(table).toBeVisible();
  const status = page.getByRole('status').first();
  await expect(status).toContainText('applications ×');
  const rows = table.locator('tbody').getByRole('row');
  const unfiltered = (await status.textContent())!;
  const total = Number(unfiltered.split(' ')[0].replace(',', ''));
  await expect(rows).toHaveCount(Math.min(200, total));
  await page.screenshot({ path: info.outputPath(`matrix-200-${info.project.name}.png`), fullPage: false });

  // Filter: critical applications, contractors, fallbacks by SMS.
  await page.getByLabel('Criticality').selectOption('critical');
  await page.getByLabel('Population').selectOption({ label: 'Contractors' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/criticality=critical/);
  await expect(page).toHaveURL(/population=contractors/);
  const filtered = page.url();
  const filteredStatus = (await page.getByRole('status').first().textContent())!;
  expect(filteredStatus).not.toEqual(unfiltered);
  for (const meta of await table.locator('tbody th .meta').allTextContents()) {
    expect(meta).toMatch(/^Critical/);
  }

  // The same address in another tab is the same view, with the filters shown as chosen.
  const other = await context.newPage();
  await other.goto(filtered);
  await expect(other.getByLabel('Criticality')).toHaveValue('critical');
  await expect(other.getByLabel('Population')).toHaveValue('contractors');
  await expect(other.getByRole('status').first()).toHaveText(filteredStatus);

  // The figures link to the matrix filtered to what they count, keeping the filters.
  await other.getByRole('link', { name: 'ready to remove passwords' }).click();
  await expect(other).toHaveURL(/readiness=ready/);
  await expect(other).toHaveURL(/criticality=critical/);

  // A row's readiness opens without JavaScript (a disclosure element).
  await page.goto('/matrix?readiness=blocked');
  const blocked = page.getByRole('table', { name: /Consistency matrix/ }).locator('tbody tr').first();
  await blocked.getByText(/Not ready \(\d+\)/).click();
  await expect(blocked.getByRole('listitem').first()).toBeVisible();
  await context.close();
});

test('the journeys view groups the estate, and the overview draws its charts', async ({ browser, javaScriptEnabled }, info) => {
  const context = await browser.newContext({ baseURL, storageState: state, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/journeys');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Journeys');
  await expect(page.getByRole('status')).toContainText('distinct journeys across');
  await expect(page.getByRole('listitem').filter({ hasText: 'population journeys ·' }).first()).toBeVisible();
  await page.screenshot({ path: info.outputPath(`journeys-${info.project.name}.png`) });

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'The estate' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Applications ready to remove passwords' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Open findings at the end of each week' })).toBeVisible();
  await expect(page.getByText(/Verified intact: [\d,]+ events/)).toBeVisible();
  await page.screenshot({ path: info.outputPath(`overview-${info.project.name}.png`), fullPage: true });
  await context.close();
});

test('adoption: the estate at a glance, a CSV sent through the form, the figures beside the journey', async ({
  browser,
  javaScriptEnabled,
}, info) => {
  const context = await browser.newContext({ baseURL, storageState: state, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/adoption');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Adoption');
  const figures = page.getByRole('region', { name: "The estate's adoption" });
  await expect(figures).toContainText('of successful sign-ins were passwordless');
  await expect(figures).toContainText('fallback uses per 100 sign-ins');
  await expect(page.getByRole('status').first()).toContainText('applications reported figures');
  // The charts carry their values in words.
  await expect(page.locator('svg#estate-share desc')).toContainText('Passwordless share');
  const fallback = page.getByRole('table').filter({ hasText: 'Fallback per 100' });
  await expect(fallback.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByText('drift from the declared journey')).toBeVisible();
  await page.screenshot({ path: info.outputPath(`adoption-${info.project.name}.png`), fullPage: true });

  // A filter travels in the address.
  await page.getByLabel('Criticality').selectOption('critical');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/criticality=critical/);
  await expect(page.getByLabel('Criticality')).toHaveValue('critical');

  // Send a month of figures for the application with the highest fallback frequency.
  await page.goto('/adoption');
  const name = (await fallback.locator('tbody tr').first().getByRole('link').textContent())!.trim();
  const csv =
    'application,period,method,sign_ins_succeeded,sign_ins_failed,fallback_uses,users,tickets_lost_device_recovery\n' +
    `"${name}",2031-01,platform_passkey,4321,9,,,\n` +
    `"${name}",2031-01,password,79,1,79,,\n` +
    `"${name}",2031-01,,,,,300,12\n`;
  await page.getByRole('link', { name: 'Send figures' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Send adoption figures');
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'january.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Stored figures of 1 application(s) for 1 period(s)' })).toBeVisible();
  // Sending it again replaces the month; nothing is counted twice.
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'january.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('1 period(s) replaced figures received before')).toBeVisible();

  await page.goto('/adoption?from=2031-01&to=2031-01');
  await expect(page.getByRole('status').first()).toContainText('1 of');
  await expect(figures).toContainText('4,321 of 4,400 sign-ins');
  await expect(figures).toContainText('Lost-device recovery');

  // The same figures on the application's page, beside the roles declared.
  await fallback.getByRole('link', { name }).click();
  const section = page.locator('section#adoption');
  await expect(section.getByRole('heading', { name: 'Adoption' })).toBeVisible();
  await expect(section.getByRole('table', { name: /Sign-ins by method/ })).toContainText('Device-bound platform passkey');
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath(`adoption-app-${info.project.name}.png`), fullPage: true });

  // A bad file changes nothing and names the row.
  await page.goto('/adoption/import');
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`application,period,method,sign_ins_succeeded\n"${name}",2031-02,password,-5\n`),
  });
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing was stored');
  await expect(page.getByRole('alert')).toContainText('row 2');
  await context.close();
});
