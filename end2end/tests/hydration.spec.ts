import { expect, test } from '@playwright/test';
import { SignInPage, watchForProblems } from '../helpers/pages';
import { addVirtualAuthenticator } from '../helpers/webauthn';

test.beforeEach(({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'islands need JavaScript');
});

test('islands hydrate under the nonce CSP: the readiness check runs in WASM', async ({ page }) => {
  const problems = watchForProblems(page);
  await addVirtualAuthenticator(page);
  const signin = new SignInPage(page);
  await signin.goto();
  await expect(signin.readiness()).toHaveText('Not checked yet.');
  // The island enables its button and drops the no-JavaScript note once the WASM runs.
  await expect(signin.checkButton()).toBeEnabled();
  await expect(page.getByText('Passkeys need JavaScript')).toHaveCount(0);
  // Only the hydrated island reacts to the click.
  await expect(async () => {
    await signin.checkButton().click();
    await expect(signin.readiness()).toContainText('supports passkeys, including this device', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
  expect(problems).toEqual([]);
});

test('without a platform authenticator the check says so', async ({ page }) => {
  // Headless Chromium has WebAuthn but, with no virtual authenticator added, no built-in
  // authenticator: isUserVerifyingPlatformAuthenticatorAvailable() answers false.
  const signin = new SignInPage(page);
  await signin.goto();
  await expect(async () => {
    await signin.checkButton().click();
    await expect(signin.readiness()).not.toHaveText(/Not checked yet|Checking/, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(signin.readiness()).toHaveText(
    'This browser supports passkeys through a security key or a phone; no built-in authenticator was found.',
  );
});
