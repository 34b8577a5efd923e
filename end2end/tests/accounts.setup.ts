import { expect, test as setup, type Browser } from '@playwright/test';
import { EnrolPage, STATE, bootstrapLink, inviteUser } from '../helpers/portal';
import { addVirtualAuthenticator } from '../helpers/webauthn';

// The setup project: runs first on the run's fresh database, with JavaScript on and Chromium's
// virtual authenticator, and leaves the signed-in states (STATE) that the suites, with JavaScript
// on or off, start from. Neither project depends on the other.

async function enrolInvited(browser: Browser, baseURL: string | undefined, link: string, name: string, state: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome');
  await new EnrolPage(page).create();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await context.storageState({ path: state });
  await context.close();
}

setup('the first administrator enrols and invites the people the suites sign in as', async ({
  page,
  browser,
  baseURL,
}) => {
  await addVirtualAuthenticator(page);
  await new EnrolPage(page).createFirstAdmin(bootstrapLink(), 'margaret', 'Margaret Hamilton');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Margaret Hamilton');
  await page.context().storageState({ path: STATE.admin });

  const people: Array<[string, string, string, string[] | undefined]> = [
    ['katherine', 'Katherine Johnson', STATE.forms, undefined],
    ['oscar', 'Oscar Owner', STATE.owner, undefined],
    ['hedy', 'Hedy Lamarr', STATE.security, ['Security']],
  ];
  for (const [username, name, state, roles] of people) {
    const link = await inviteUser(page, username, name, roles);
    await enrolInvited(browser, baseURL, link, name, state);
  }
});
