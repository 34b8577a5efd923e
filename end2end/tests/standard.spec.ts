import { expect, test } from '@playwright/test';
import { STATE } from '../helpers/portal';
import { DeclarationEditor, RegisterApplication } from '../helpers/registry';

// Security sets the standard and sees what a change would do before saving it; an owner reads
// the findings of their application in plain words. Both with JavaScript on and off: the
// editor and its preview are plain forms.

test.describe('security edits the standard policy', () => {
  test.use({ storageState: STATE.security });

  test('previews a change, keeps what was typed, then saves a new version', async ({ page, javaScriptEnabled }) => {
    // Each project tightens a different criticality, so the two runs make two versions.
    const criticality = javaScriptEnabled ? 'Medium' : 'Low';
    await page.goto('/policy');
    await expect(page.getByRole('heading', { name: /Version \d+ · in force/ })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Requirements by criticality' })).toBeVisible();
    await page.getByRole('link', { name: 'Edit the policy' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Edit the standard policy');

    const group = page.getByRole('group', { name: `${criticality} applications` });
    await group.getByLabel('Minimum AAL (1–3)').fill('3');
    await group.getByLabel('Phishing-resistant primary').check();
    await page.getByLabel('Why this change (kept with the version)').fill(`${criticality} applications need AAL3.`);
    await page.getByRole('button', { name: 'Preview the change' }).click();

    await expect(page.getByRole('heading', { name: 'What this change would do' })).toBeVisible();
    // The preview keeps the form as typed.
    await expect(
      page.getByRole('group', { name: `${criticality} applications` }).getByLabel('Minimum AAL (1–3)'),
    ).toHaveValue('3');
    await expect(page.getByLabel('Why this change (kept with the version)')).toHaveValue(
      `${criticality} applications need AAL3.`,
    );
    await page.screenshot({ path: `test-results/policy-preview-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });

    await page.getByRole('button', { name: /Save as version \d+/ }).click();
    await expect(page.getByText(/Policy version \d+ saved/)).toBeVisible();
    await expect(page.getByRole('heading', { name: /Version \d+ · in force/ })).toBeVisible();
    await expect(page.getByRole('cell', { name: `${criticality} applications need AAL3.` })).toBeVisible();
  });
});

test.describe('security edits a standard journey', () => {
  test.use({ storageState: STATE.security });

  test('a typo is named beside its field, the fix is previewed in words and saved', async ({ page, javaScriptEnabled }) => {
    // Each project edits a different population, so the two runs make two versions.
    const population = javaScriptEnabled ? 'Contractors' : 'Partners';
    await page.goto('/policy/edit');
    const journey = page
      .locator('details.standard-journey')
      .filter({ has: page.locator('summary strong', { hasText: new RegExp(`^${population}$`) }) });
    await journey.locator('summary').click();
    const fallback = journey.getByLabel('Fallback', { exact: true });
    await expect(fallback).toBeVisible();
    await fallback.fill('security_key; password+totp_ap');
    await page.getByLabel('Why this change (kept with the version)').fill(`${population}: a code beside the password.`);
    await page.getByRole('button', { name: 'Preview the change' }).click();

    // The typo is named beside the field, which keeps what was typed (and stays open).
    await expect(journey.getByText('Unknown method “totp_ap”.')).toBeVisible();
    await expect(journey.getByLabel('Fallback', { exact: true })).toHaveValue('security_key; password+totp_ap');
    await expect(page.getByRole('alert').filter({ hasText: 'This change cannot be saved' })).toBeVisible();

    await journey.getByLabel('Fallback', { exact: true }).fill('security_key; password+totp_app');
    await page.getByRole('button', { name: 'Preview the change' }).click();
    await expect(page.getByRole('heading', { name: 'What this change would do' })).toBeVisible();
    // The edited journey stays open, marked as changed, with the paths in words.
    await expect(journey.locator('summary')).toContainText('changed, not saved yet');
    await expect(journey.getByText('Now: FIDO2 security key → Password + Authenticator app (TOTP).')).toBeVisible();
    await page.screenshot({ path: `test-results/standard-journey-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });

    await page.getByRole('button', { name: /Save as version \d+/ }).click();
    await expect(page.getByText(/Policy version \d+ saved/)).toBeVisible();
    const shown = page.locator('section.journey').filter({ has: page.getByRole('heading', { name: population, exact: true }) });
    await expect(shown.getByRole('row', { name: /Fallback/ })).toContainText(
      'FIDO2 security key → Password + Authenticator app (TOTP)',
    );
  });
});

test.describe('an owner reads the findings of their application', () => {
  test.use({ storageState: STATE.owner });

  test('a password with an SMS code as fallback is explained in the owner\'s words', async ({ page, javaScriptEnabled }) => {
    const name = javaScriptEnabled ? 'Timesheets' : 'Timesheets (plain forms)';
    const form = new RegisterApplication(page);
    await form.open();
    await form.fill({ name, description: 'Hours worked.', populations: ['Office employees'] });
    await form.submit();
    await expect(page.getByText('Application registered.')).toBeVisible();

    await page.getByRole('link', { name: 'Edit declaration' }).click();
    const editor = new DeclarationEditor(page);
    await editor.slot('Office employees', 'Fallback', 2).selectOption('password');
    await editor.together('Office employees', 'Fallback', 2).selectOption('sms_otp');
    await editor.submit();
    await expect(page.getByText('Version 1 submitted.')).toBeVisible();

    const findings = page.getByRole('region', { name: 'Findings' });
    await expect(findings.getByText('Effective assurance AAL2')).toBeVisible();
    await expect(findings.getByText('Not phishing-resistant end to end')).toBeVisible();
    const restricted = findings.getByRole('listitem').filter({ hasText: 'Restricted method' });
    await expect(restricted).toContainText('Office employees');
    await expect(restricted).toContainText('SMS one-time code');
    await page.screenshot({ path: `test-results/app-findings-${javaScriptEnabled ? 'js' : 'nojs'}.png`, fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Findings' }).click();
    await page.getByLabel('Rule').selectOption({ label: '2. Restricted method (SMS, voice)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/rule=restricted_method/);
    await expect(page.getByRole('row').filter({ hasText: name }).first()).toBeVisible();
  });
});
