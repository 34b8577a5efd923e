import { expect, test } from '@playwright/test';
import { STATE } from '../helpers/portal';
import { UsersPage } from '../helpers/users';

// Pages and forms without JavaScript: protected pages send you to sign in; enrolment explains
// that passkeys need JavaScript.
test('protected pages redirect an anonymous visitor to sign in', async ({ page }) => {
  for (const path of ['/account', '/admin/users']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  }
});

test('an invalid enrolment link says so', async ({ page }) => {
  await page.goto('/enrol/not-a-real-token');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link is not valid');
});

test('without JavaScript the sign-in buttons are disabled with an explanation', async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, 'only meaningful with JavaScript off');
  await page.goto('/signin');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeDisabled();
  await expect(page.getByText('Passkeys need JavaScript').first()).toBeVisible();
});

test.describe('signed in, without JavaScript', () => {
  test.beforeEach(({ javaScriptEnabled }) => {
    test.skip(javaScriptEnabled, 'only meaningful with JavaScript off');
  });

  test.describe('as the administrator', () => {
    test.use({ storageState: STATE.admin });

    test('an administrator edits the catalogue before any WASM', async ({ page }) => {
      await page.goto('/catalogue');
      const editor = page.getByRole('group').filter({ hasText: 'Edit SMS one-time code' });
      await editor.getByText('Edit SMS one-time code').click();
      await editor.getByLabel('Strength rank (1 is strongest)').fill('20');
      await editor.getByRole('button', { name: 'Save SMS one-time code' }).click();
      await expect(page.getByText('Method updated.')).toBeVisible();
      await expect(page.getByRole('row').filter({ hasText: 'SMS one-time code' }).getByRole('cell').first()).toHaveText('20');

      await page.getByLabel('New business unit').fill('Retail Banking');
      await page.getByRole('button', { name: 'Add business unit' }).click();
      await expect(page.getByText('Business unit added.')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Retire Retail Banking' })).toBeVisible();
    });

    test('an administrator finds people by name, role and status before any WASM', async ({ page }) => {
      const users = new UsersPage(page);
      await users.goto();
      await users.filter({ q: 'KATHERINE' });
      await expect(users.people()).toHaveText('People (1)');
      await expect(users.row('katherine')).toBeVisible();
      await expect(page).toHaveURL(/q=KATHERINE/);

      await users.filter({ q: '', role: 'Administrator' });
      await expect(users.row('margaret')).toBeVisible();
      await expect(users.row('katherine')).toHaveCount(0);
      await expect(page).toHaveURL(/role=admin/);

      await users.filter({ role: 'Any', status: 'Invited' });
      await expect(page).toHaveURL(/status=invited/);
      await expect(users.row('margaret')).toHaveCount(0);
    });
  });

  test.describe('as an owner, in a session of their own', () => {
    test.use({ storageState: STATE.forms });

    test('forms work before any WASM: rename a passkey, then sign out', async ({ page }) => {
      await page.goto('/account');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Katherine Johnson');
      const name = page.getByLabel('Name for passkey First passkey');
      await name.fill('Office laptop');
      await page.getByRole('button', { name: 'Rename' }).click();
      await expect(page.getByText('Passkey renamed.')).toBeVisible();
      await expect(page.getByLabel('Name for passkey Office laptop')).toHaveValue('Office laptop');

      // A bad value comes back as typed, marked, with a clear message; nothing changes.
      await page.getByLabel('Name for passkey Office laptop').fill(' ');
      await page.getByRole('button', { name: 'Rename' }).click();
      await expect(page.getByRole('alert')).toContainText('required');
      await expect(page.getByLabel('Name for passkey Office laptop')).toHaveValue(' ');
      await expect(page.getByLabel('Name for passkey Office laptop')).toHaveAttribute('aria-invalid', 'true');

      // The message waited in the session for this one page; the address carries none of it.
      expect(page.url()).not.toMatch(/notice=|error=|field=/);
      await page.reload();
      await expect(page.getByRole('alert').filter({ hasText: 'required' })).toHaveCount(0);
      await expect(page.getByLabel('Name for passkey Office laptop')).toHaveValue('Office laptop');

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await expect(page).toHaveURL(/\/signin\?done=signed-out$/);
      await expect(page.getByText('You are signed out.')).toBeVisible();
      await page.screenshot({ path: 'test-results/look-signed-out.png', fullPage: true });
      // Words put in an address are not shown in the portal's voice.
      await page.goto('/signin?notice=Your+account+is+locked&error=Call+0800+now&done=unknown');
      await expect(page.getByText('Your account is locked')).toHaveCount(0);
      await expect(page.getByText('Call 0800 now')).toHaveCount(0);
      await page.goto('/account');
      await expect(page).toHaveURL(/\/signin/);
    });
  });
});
