// Talking to the portal from tests: the host command that issues the first-admin link, the
// signed-in states the setup project leaves, and the page objects of the passkey pages.
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const stateDir = path.join(__dirname, '../.tmp');
fs.mkdirSync(stateDir, { recursive: true });

/**
 * Signed-in browser states written by the setup project (tests/accounts.setup.ts) at the start of
 * every run, for suites with JavaScript on or off. Each belongs to one person and one session.
 */
export const STATE = {
  /** Margaret Hamilton, the first administrator: invites people, edits the catalogue. */
  admin: path.join(stateDir, 'admin-state.json'),
  /** Katherine Johnson, an application owner whose session the no-JavaScript form test ends. */
  forms: path.join(stateDir, 'forms-state.json'),
  /** Oscar Owner, an application owner who registers applications without JavaScript. */
  owner: path.join(stateDir, 'owner-state.json'),
  /** Hedy Lamarr, security: sets the standard policy. */
  security: path.join(stateDir, 'security-state.json'),
};

/**
 * Runs `server bootstrap-admin` against the test database and returns the one-time link; with
 * `breakGlass`, even while an administrator exists.
 */
export function bootstrapLink(options: { breakGlass?: boolean } = {}): string {
  const args = ['bootstrap-admin', ...(options.breakGlass ? ['--break-glass'] : [])];
  const out = execFileSync(process.env.PORTAL_SERVER_BIN!, args, {
    env: {
      ...process.env,
      PORTAL_DATABASE_URL: process.env.PORTAL_E2E_DATABASE_URL!,
      PORTAL_PUBLIC_URL: `http://localhost:${process.env.PORTAL_E2E_PORT ?? 3100}`,
      PORTAL_LOG: 'warn',
    },
  }).toString();
  const link = /(http:\/\/localhost:\d+\/enrol\/\S+)/.exec(out)?.[1];
  if (!link) throw new Error(`no link in: ${out}`);
  return link;
}

/** Invites a person with the default role (application owner) and returns their one-time link. */
export async function inviteUser(
  admin: Page,
  username: string,
  displayName: string,
  roles?: string[],
): Promise<string> {
  await admin.goto('/admin/users');
  await admin.getByLabel('User name').fill(username);
  await admin.getByLabel('Display name').fill(displayName);
  if (roles) {
    const form = admin.locator('form', { has: admin.getByRole('button', { name: 'Create invitation' }) });
    for (const role of ['Application owner', 'Security', 'Auditor', 'Administrator']) {
      await form.getByRole('group', { name: 'Roles' }).getByLabel(role).setChecked(roles.includes(role));
    }
  }
  await admin.getByRole('button', { name: 'Create invitation' }).click();
  const link = await admin.getByLabel('One-time link').textContent();
  expect(link).toMatch(/\/enrol\//);
  return link!;
}

export class EnrolPage {
  constructor(readonly page: Page) {}
  async createFirstAdmin(link: string, username: string, displayName: string) {
    await this.page.goto(link);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Set up the first administrator');
    await this.page.getByLabel('User name').fill(username);
    await this.page.getByLabel('Display name').fill(displayName);
    await this.create();
  }
  async create() {
    const button = this.page.getByRole('button', { name: 'Create my passkey' });
    await expect(button).toBeEnabled();
    await button.click();
    await expect(this.page).toHaveURL(/\/account/);
  }
}

export class SignIn {
  constructor(readonly page: Page) {}
  async byUserName(username: string) {
    await this.page.goto('/signin');
    await this.page.getByLabel('User name').fill(username);
    const button = this.page.getByRole('button', { name: 'Sign in', exact: true });
    await expect(button).toBeEnabled();
    await button.click();
  }
  async withoutUserName() {
    await this.page.goto('/signin');
    const button = this.page.getByRole('button', { name: 'Sign in with a passkey, no user name' });
    await expect(button).toBeEnabled();
    await button.click();
  }
  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(this.page).toHaveURL(/\/signin/);
  }
}
