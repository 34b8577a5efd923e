import { expect, test, type Browser, type Page } from '@playwright/test';
import { STATE } from '../helpers/portal';
import { DeclarationEditor, RegisterApplication } from '../helpers/registry';

// An owner asks for an exception from the finding it accepts; a security user who is neither
// the requester nor an owner works the queue and decides; the finding shows as excepted until
// the exception's last day. With JavaScript on and off: every form here is a plain form.

async function as(browser: Browser, state: string, javaScriptEnabled: boolean, baseURL?: string): Promise<Page> {
  const context = await browser.newContext({ storageState: state, javaScriptEnabled, baseURL });
  return context.newPage();
}

/** The owner registers an application whose fallback is a password with an SMS code. */
async function applicationWithSms(page: Page, name: string) {
  const form = new RegisterApplication(page);
  await form.open();
  await form.fill({ name, description: 'Travel and expense claims.', populations: ['Office employees'] });
  await form.submit();
  await expect(page.getByText('Application registered.')).toBeVisible();
  await page.getByRole('link', { name: 'Edit declaration' }).click();
  const editor = new DeclarationEditor(page);
  await editor.slot('Office employees', 'Fallback', 2).selectOption('password');
  await editor.together('Office employees', 'Fallback', 2).selectOption('sms_otp');
  await editor.submit();
  await expect(page.getByText('Version 1 submitted.')).toBeVisible();
}

/** From the application page, the owner asks for an exception for the SMS finding. */
async function requestFromFinding(page: Page, justification: string) {
  const findings = page.getByRole('region', { name: 'Findings' });
  const restricted = findings.getByRole('listitem').filter({ hasText: 'Restricted method' }).first();
  await restricted.getByRole('link', { name: 'Request an exception' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Request an exception');

  // Refused first (too short a reason): everything typed comes back, every problem named.
  await page.getByLabel('Justification').fill('Soon.');
  await page.getByLabel('Compensating controls').fill('Every SMS sign-in alerts the SOC.');
  await page.getByRole('button', { name: 'Send the request' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Say why the deviation must stay' })).toBeVisible();
  await expect(page.getByLabel('Justification')).toHaveValue('Soon.');
  await expect(page.getByLabel('Justification')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Compensating controls')).toHaveValue('Every SMS sign-in alerts the SOC.');

  await page.getByLabel('Justification').fill(justification);
  await page.getByRole('button', { name: 'Send the request' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Exception for 2. Restricted method');
  await expect(page.getByText(/^Requested until \d{4}-\d{2}-\d{2}$/)).toBeVisible();
}

test.describe('an owner asks, security decides', () => {
  test('the owner requests from the finding; security approves or rejects from the queue', async ({
    browser,
    baseURL,
    javaScriptEnabled,
  }) => {
    const name = javaScriptEnabled ? 'Expenses' : 'Expenses (plain forms)';
    const owner = await as(browser, STATE.owner, javaScriptEnabled, baseURL);
    await applicationWithSms(owner, name);
    const appUrl = owner.url();
    await requestFromFinding(owner, 'The expense vendor ships passkeys in its March release.');
    await owner.screenshot({ path: `test-results/exception-requested-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });

    // The owner may not decide (not security); the page offers nothing to decide.
    await expect(owner.getByRole('button', { name: 'Approve' })).toHaveCount(0);

    const security = await as(browser, STATE.security, javaScriptEnabled, baseURL);
    await security.goto('/exceptions');
    await expect(security.getByRole('heading', { level: 1 })).toHaveText('Exceptions');
    await expect(security.getByRole('link', { name: /Waiting for a decision \(\d+\)/ })).toHaveAttribute('aria-current', 'page');
    const row = security.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText('Requested until');
    await security.screenshot({ path: `test-results/exceptions-queue-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });
    await row.getByRole('link', { name: /Restricted method/ }).click();
    await expect(security.getByText('The expense vendor ships passkeys in its March release.')).toBeVisible();

    if (javaScriptEnabled) {
      await security.getByRole('button', { name: 'Approve' }).click();
      await expect(security.getByText('Exception approved.')).toBeVisible();
      await expect(security.getByText(/^Approved until \d{4}-\d{2}-\d{2} \(\d+ days left\)$/).first()).toBeVisible();
      await security.screenshot({ path: 'test-results/exception-approved-js.png', fullPage: true });

      // The finding shows as excepted on the application page and in the findings list.
      await owner.goto(appUrl.replace(/\/declaration.*$/, ''));
      const findings = owner.getByRole('region', { name: 'Findings' });
      await expect(findings.getByRole('link', { name: /^Excepted until \d{4}-\d{2}-\d{2}$/ })).toBeVisible();
      await owner.goto('/findings?state=excepted');
      await expect(owner.getByRole('row').filter({ hasText: name })).toContainText('Excepted until');
    } else {
      // Rejecting needs a reason: refused without one, then done.
      await security.getByRole('button', { name: 'Reject' }).click();
      await expect(security.getByText('Give the reason').first()).toBeVisible();
      await security.getByLabel(/^Reason/).fill('The compensating control covers sign-in, not recovery.');
      await security.getByRole('button', { name: 'Reject' }).click();
      await expect(security.getByText('Exception request rejected.')).toBeVisible();
      await expect(security.getByText('The compensating control covers sign-in, not recovery.')).toBeVisible();
      await security.screenshot({ path: 'test-results/exception-rejected-nojs.png', fullPage: true });
      await owner.goto(appUrl.replace(/\/declaration.*$/, ''));
      const findings = owner.getByRole('region', { name: 'Findings' });
      await expect(findings.getByRole('link', { name: 'Request an exception' }).first()).toBeVisible();
    }
    await owner.context().close();
    await security.context().close();
  });
});
