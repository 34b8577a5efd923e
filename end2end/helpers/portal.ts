// Talking to the portal from tests: the host command that issues the first-admin link, and the
// page objects of the passkey pages.
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the passkey story leaves the first admin's signed-in browser state. */
export const ADA_STATE = path.join(__dirname, '../.tmp/ada-state.json');
fs.mkdirSync(path.dirname(ADA_STATE), { recursive: true });

/** Runs `server bootstrap-admin` against the test database and returns the one-time link. */
export function bootstrapLink(): string {
  const out = execFileSync(process.env.PORTAL_SERVER_BIN!, ['bootstrap-admin'], {
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
