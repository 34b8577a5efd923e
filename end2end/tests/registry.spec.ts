import { expect, test, type Browser } from '@playwright/test';
import { EnrolPage, STATE, inviteUser } from '../helpers/portal';
import { DeclarationEditor, OwnerPicker, RegisterApplication, versionHistory } from '../helpers/registry';
import { addVirtualAuthenticator } from '../helpers/webauthn';

// An application owner, tried as a new user would: invited, enrols a passkey, registers an
// application and submits its declaration with JavaScript on (after the passkey ceremony); an
// owner signed in by the setup project does the same with JavaScript off (plain forms only); both
// see each version in the history.

async function inviteOwner(browser: Browser, baseURL: string | undefined, username: string, name: string) {
  const admin = await (await browser.newContext({ baseURL, storageState: STATE.admin })).newPage();
  const link = await inviteUser(admin, username, name);
  await admin.context().close();
  return link;
}

test.describe('with JavaScript', () => {
  test.beforeEach(({ javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'the passkey enrolment needs JavaScript');
  });

  test('a new owner registers an application and submits its declaration', async ({ page, browser, baseURL }) => {
    await test.step('the invited owner enrols a passkey', async () => {
      const link = await inviteOwner(browser, baseURL, 'olivia', 'Olivia Owner');
      await addVirtualAuthenticator(page);
      await page.goto(link);
      await new EnrolPage(page).create();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Olivia Owner');
    });

    await test.step('registers Payroll', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
      await expect(page.getByText('No application matches.')).toBeVisible();
      const form = new RegisterApplication(page);
      await form.open();
      await form.fill({
        name: 'Payroll',
        description: 'Pays everyone, monthly. <b>not bold</b>',
        populations: ['Office employees', 'Contractors'],
      });
      await form.submit();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Payroll');
      await expect(page.getByText('Application registered.')).toBeVisible();
      await expect(page.getByText('<b>not bold</b>', { exact: false })).toBeVisible();
      await expect(page.getByText('No declaration has been submitted yet.')).toBeVisible();
    });

    await test.step('adds a second owner found by name (Oscar, enrolled by the setup project)', async () => {
      await page.getByRole('link', { name: 'Edit application' }).click();
      const owners = new OwnerPicker(page);
      await expect(owners.current('Olivia Owner (olivia)')).toBeChecked();
      await owners.pick('osc', 'Oscar Owner (oscar)');
      await expect(owners.addOwners()).toHaveValue('oscar');
      await page.getByRole('button', { name: 'Save application' }).click();
      await expect(page.getByText('Application updated.')).toBeVisible();
      await expect(page.getByText('Oscar Owner (oscar)')).toBeVisible();
    });

    await test.step('declares the journeys from the standard defaults and submits', async () => {
      await page.getByRole('link', { name: 'Edit declaration' }).click();
      const editor = new DeclarationEditor(page);
      await expect(page.getByText('pre-filled from the standard journey')).toBeVisible();
      await expect(editor.slot('Office employees', 'Primary', 1)).toHaveValue('platform_passkey');
      await editor.slot('Contractors', 'Recovery', 2).selectOption('recovery_codes');
      // A path that combines factors: a password together with an authenticator code.
      await editor.slot('Office employees', 'Fallback', 2).selectOption('password');
      await editor.together('Office employees', 'Fallback', 2).selectOption('totp_app');
      await editor.submit();
      await expect(page.getByText('Version 1 submitted.')).toBeVisible();
      const history = versionHistory(page);
      await expect(history.getByRole('link', { name: 'Version 1' })).toBeVisible();
      await expect(history.getByRole('cell', { name: 'Olivia Owner' })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Declaration · version 1' })).toBeVisible();
      await expect(page.getByRole('row', { name: /Recovery/ }).filter({ hasText: 'Recovery codes' })).toHaveCount(1);
      await expect(
        page.getByRole('row', { name: /Fallback/ }).filter({ hasText: 'Password + Authenticator app (TOTP)' }),
      ).toHaveCount(1);
    });
  });
});

test.describe('without JavaScript', () => {
  test.use({ storageState: STATE.owner });
  test.beforeEach(({ javaScriptEnabled }) => {
    test.skip(javaScriptEnabled, 'only meaningful with JavaScript off');
  });

  test('the owner registers an application and submits two versions with plain forms', async ({ page }) => {
    const form = new RegisterApplication(page);
    await form.open();
    // Owners are added by user name without JavaScript; a name nobody has is refused next to
    // the field, naming it.
    const owners = new OwnerPicker(page);
    await expect(owners.search()).toHaveCount(0);
    await form.fill({ name: 'Expense claims', description: 'Receipts and refunds.', populations: ['Frontline and shift workers'] });
    await owners.type('nobody.here');
    await form.submit();
    await expect(page.getByRole('alert').filter({ hasText: 'nobody.here' }).first()).toBeVisible();

    await form.fill({ name: 'Expense claims', description: 'Receipts and refunds.', populations: ['Frontline and shift workers'] });
    await owners.type('katherine');
    await form.submit();
    await expect(page.getByText('Application registered.')).toBeVisible();
    await expect(page.getByText('Katherine Johnson (katherine)')).toBeVisible();

    await page.getByRole('link', { name: 'Edit declaration' }).click();
    const editor = new DeclarationEditor(page);
    // Nothing as primary: submitting keeps the draft and says why, next to the field.
    await editor.slot('Frontline and shift workers', 'Primary', 1).selectOption('');
    await editor.slot('Frontline and shift workers', 'Primary', 2).selectOption('');
    await editor.submit();
    await expect(page.getByText('Choose at least one primary method for Frontline and shift workers.').last()).toBeVisible();
    await expect(page.getByText(/Editing the draft saved/)).toBeVisible();

    await editor.slot('Frontline and shift workers', 'Primary', 1).selectOption('security_key');
    await editor.submit();
    await expect(page.getByText('Version 1 submitted.')).toBeVisible();

    await page.getByRole('link', { name: 'Edit declaration' }).click();
    await expect(page.getByText('Starting from version 1')).toBeVisible();
    await editor.slot('Frontline and shift workers', 'Fallback', 2).selectOption('sms_otp');
    await editor.submit();
    await expect(page.getByText('Version 2 submitted.')).toBeVisible();

    await page.getByRole('button', { name: 'Show differences' }).click();
    await expect(page.getByRole('heading', { name: 'Differences from version 1 to version 2' })).toBeVisible();
    await expect(page.getByRole('row', { name: /Frontline and shift workers · Fallback/ })).toContainText('SMS one-time code');
    await expect(versionHistory(page).getByRole('link', { name: /^Version \d$/ })).toHaveCount(2);

    // Names are unique whatever their case.
    await form.open();
    await form.fill({ name: 'expense CLAIMS', description: 'Duplicate', populations: ['Office employees'] });
    await form.submit();
    await expect(page.getByRole('alert').first()).toContainText('An application with this name exists.');
  });
});

test.describe('a long declaration', () => {
  test.use({ storageState: STATE.owner });

  test('two mistakes are fixed without retyping anything, then the differences are reviewed and submitted', async ({
    page,
    javaScriptEnabled,
  }) => {
    const name = javaScriptEnabled ? 'Field service' : 'Field service (plain forms)';
    const form = new RegisterApplication(page);
    await form.open();
    await form.fill({
      name,
      description: 'Work orders for field engineers.',
      populations: ['Office employees', 'Contractors', 'Frontline and shift workers'],
    });
    await form.submit();
    await expect(page.getByText('Application registered.')).toBeVisible();
    await page.getByRole('link', { name: 'Edit declaration' }).click();

    // Changes all over a three-population declaration, with two mistakes among them: an idle
    // timeout longer than the session, and break-glass accounts without their number.
    const editor = new DeclarationEditor(page);
    const office = editor.population('Office employees');
    await editor.slot('Contractors', 'Fallback', 2).selectOption('password');
    await editor.together('Contractors', 'Fallback', 2).selectOption('totp_app');
    await editor.slot('Frontline and shift workers', 'Recovery', 2).selectOption('recovery_codes');
    await office.getByLabel('Maximum session, hours').fill('1');
    await office.getByLabel('Maximum session, minutes').fill('0');
    await office.getByLabel('Idle timeout, hours').fill('2');
    await office.getByLabel('Idle timeout, minutes').fill('0');
    await office.getByLabel('macOS').fill('14.4');
    await page.getByLabel('Protected by').selectOption('security_key');
    await page.getByLabel('Where the credential is kept').fill('Sealed envelope in the HQ safe');
    await editor.review();

    // Both named at the top with links, and beside their fields; everything typed is there.
    const problems = page.getByRole('alert').filter({ hasText: '2 things need attention.' });
    await expect(problems).toBeVisible();
    await expect(problems.getByRole('link')).toHaveCount(2);
    await expect(office.getByLabel('Idle timeout, hours')).toHaveValue('2');
    await expect(office.getByLabel('Idle timeout, minutes')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Accounts', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(office.getByLabel('Maximum session, hours')).toHaveValue('1');
    await expect(office.getByLabel('macOS')).toHaveValue('14.4');
    await expect(editor.together('Contractors', 'Fallback', 2)).toHaveValue('totp_app');
    await expect(editor.slot('Frontline and shift workers', 'Recovery', 2)).toHaveValue('recovery_codes');
    await expect(page.getByLabel('Where the credential is kept')).toHaveValue('Sealed envelope in the HQ safe');
    await page.screenshot({
      path: `test-results/declaration-refused-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
      fullPage: true,
    });

    // The two fixed, nothing retyped; the review shows what changes, then the version.
    await office.getByLabel('Idle timeout, hours').fill('0');
    await office.getByLabel('Idle timeout, minutes').fill('30');
    await page.getByLabel('Accounts', { exact: true }).fill('2');
    // Password with an authenticator code becomes the contractors' first fallback: the list
    // comes back reordered, everything else as typed, not saved yet.
    await editor
      .population('Contractors')
      .getByRole('button', { name: 'Move Fallback path 2 up' })
      .click();
    await expect(page.getByText('Not saved yet')).toBeVisible();
    await expect(editor.slot('Contractors', 'Fallback', 1)).toHaveValue('password');
    await expect(editor.together('Contractors', 'Fallback', 1)).toHaveValue('totp_app');
    await expect(page.getByLabel('Accounts', { exact: true })).toHaveValue('2');
    await expect(office.getByLabel('Idle timeout, minutes')).toHaveValue('30');
    await editor.review();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Review version 1 of ${name}`);
    await expect(page.getByRole('heading', { name: 'What submitting does to the findings' })).toBeVisible();
    await expect(page.getByRole('row', { name: /Contractors · Fallback/ })).toContainText('Authenticator app');
    await page.screenshot({
      path: `test-results/declaration-review-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
      fullPage: true,
    });
    await editor.confirm('Field engineers move to passkeys.');
    await expect(page.getByText('Version 1 submitted.')).toBeVisible();
    await expect(page.getByText('Field engineers move to passkeys.').first()).toBeVisible();
  });
});
