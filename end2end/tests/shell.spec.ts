import { expect, test } from '@playwright/test';
import { Shell, SignInPage, watchForProblems } from '../helpers/pages';

test('the overview renders the shell and navigation', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.goto('/');
  const shell = new Shell(page);
  await expect(shell.heading()).toHaveText('Passwordless programme governance');
  await expect(shell.nav().getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(page).toHaveTitle(/Overview/);
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
  await expect(shell.heading()).toHaveText('Sign in');
  expect(problems).toEqual([]);
});

test('an unknown address shows the not-found page with status 404', async ({ page }) => {
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(new Shell(page).heading()).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await expect(page).toHaveURL('/');
});

test('no password field exists on the sign-in page', async ({ page }) => {
  await new SignInPage(page).goto();
  // A password field is a textbox to Playwright (and to the accessibility tree), whatever its
  // label: the only textbox is the user name, and it shows what is typed.
  const textboxes = page.getByRole('textbox');
  await expect(textboxes).toHaveCount(1);
  await expect(textboxes).toHaveAccessibleName('User name');
  await expect(textboxes).toHaveAttribute('type', 'text');
});

test('without JavaScript the sign-in page says passkeys need it', async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, 'only meaningful with JavaScript off');
  const signin = new SignInPage(page);
  await signin.goto();
  await expect(page.getByText('Passkeys need JavaScript').first()).toBeVisible();
  await expect(signin.checkButton()).toBeDisabled();
  await expect(signin.readiness()).toHaveText('Not checked yet.');
});
