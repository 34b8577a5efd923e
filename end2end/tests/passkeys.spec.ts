import { expect, test, type Browser } from '@playwright/test';
import { EnrolPage, SignIn, bootstrapLink } from '../helpers/portal';
import { addVirtualAuthenticator } from '../helpers/webauthn';

// One story, in order: an administrator enrols from a bootstrap link (break-glass, as the setup
// project enrolled the first one), signs in both ways, manages passkeys, invites a colleague,
// whose response with a cleared user-verification bit is refused.
test.describe.configure({ mode: 'serial' });

test.beforeEach(({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'passkey ceremonies need JavaScript');
});

async function newPage(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ baseURL });
  return context.newPage();
}

test('an admin enrols from a bootstrap link, signs in by user name and without one, manages passkeys, invites a user', async ({
  page,
  browser,
  baseURL,
}) => {
  const authenticator = await addVirtualAuthenticator(page);

  await test.step('break-glass bootstrap link → first passkey', async () => {
    await new EnrolPage(page).createFirstAdmin(bootstrapLink({ breakGlass: true }), 'ada', 'Ada Lovelace');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ada Lovelace');
    await expect(page.getByText('Your passkey is ready')).toBeVisible();
    expect(await authenticator.credentials()).toHaveLength(1);
  });

  const signIn = new SignIn(page);
  await test.step('sign out, then sign in by user name, back on the page asked for', async () => {
    await signIn.signOut();
    await expect(page.getByText('You are signed out.')).toBeVisible();
    await page.goto('/account');
    await expect(page).toHaveURL(/\/signin\?next=%2Faccount/);
    await page.getByLabel('User name').fill('ada');
    const button = page.getByRole('button', { name: 'Sign in', exact: true });
    await expect(button).toBeEnabled();
    await button.click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole('link', { name: 'Ada Lovelace' })).toBeVisible();
  });

  await test.step('sign out, then sign in without a user name; a `next` off the portal leads home', async () => {
    // Browsers read `/\\host` and `/<tab>/host` as another host, and an encoded slash decodes to
    // one once the parameter is read. (Three sign-ins: the ceremony rate limit counts them.)
    for (const hostile of ['/\\example.com/phish', '/\t/example.com/phish', '/%2F%2Fexample.com/phish']) {
      await page.goto('/');
      await signIn.signOut();
      await page.goto(`/signin?next=${encodeURIComponent(hostile)}`);
      const button = page.getByRole('button', { name: 'Sign in with a passkey, no user name' });
      await expect(button).toBeEnabled();
      await button.click();
      await expect(page.getByRole('link', { name: 'Ada Lovelace' })).toBeVisible();
      expect(new URL(page.url()).host, hostile).toBe(new URL(baseURL!).host);
    }
  });

  await test.step('add a second passkey on another authenticator, then remove the first', async () => {
    await authenticator.remove();
    const second = await addVirtualAuthenticator(page);
    await page.goto('/account');
    await page.getByLabel('Name for the new passkey').fill('Backup key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByText('Passkey added.')).toBeVisible();
    await expect(page.getByRole('button', { name: /^Remove / })).toHaveCount(2);
    expect(await second.credentials()).toHaveLength(1);

    await page.getByRole('button', { name: 'Remove First passkey' }).click();
    await expect(page.getByText('Passkey removed.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Remove Backup key' })).toBeDisabled();
    // The remaining passkey still signs in.
    await signIn.signOut();
    await signIn.byUserName('ada');
    await expect(page.getByRole('link', { name: 'Ada Lovelace' })).toBeVisible();
  });

  await test.step('invite a second user, who enrols in their own browser', async () => {
    await page.goto('/admin/users');
    await page.getByLabel('User name').fill('grace');
    await page.getByLabel('Display name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = await page.getByLabel('One-time link').textContent();
    expect(link).toMatch(/\/enrol\//);

    const grace = await newPage(browser, baseURL);
    const graceKey = await addVirtualAuthenticator(grace);
    await grace.goto(link!);
    await expect(grace.getByRole('heading', { level: 1 })).toHaveText('Welcome');
    await new EnrolPage(grace).create();
    await expect(grace.getByRole('heading', { level: 1 })).toHaveText('Grace Hopper');
    await expect(grace.getByText('Application owner')).toBeVisible();
    // Owners do not see user administration.
    await grace.goto('/admin/users');
    await expect(grace.getByRole('heading', { level: 1 })).toHaveText('That did not work');

    // A response with the user-verification bit cleared is refused; with it set, sign-in works.
    const graceSignIn = new SignIn(grace);
    await grace.goto('/account');
    await graceSignIn.signOut();
    await graceKey.setUserVerified(false);
    await graceSignIn.byUserName('grace');
    await expect(grace.getByRole('alert')).toBeVisible();
    await expect(grace.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
    await graceKey.setUserVerified(true);
    await graceSignIn.byUserName('grace');
    await expect(grace.getByRole('link', { name: 'Grace Hopper' })).toBeVisible();
    await grace.context().close();

    // The link worked once.
    const again = await newPage(browser, baseURL);
    await again.goto(link!);
    await expect(again.getByRole('heading', { level: 1 })).toHaveText('This link is not valid');
    await again.context().close();
  });
});
