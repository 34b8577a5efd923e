// Page object of user administration (/admin/users): locators by role and label only.
import type { Page } from '@playwright/test';

export class UsersPage {
  constructor(readonly page: Page) {}
  async goto(query = '') {
    await this.page.goto(`/admin/users${query}`);
  }
  /** "People (N)": everyone the search and filters match, on every page. */
  people() {
    return this.page.getByRole('heading', { name: /^People \(\d+\)$/ });
  }
  /** Searches by user name or display name and filters by role and status (option labels,
   * "Any" for none); the state goes into the address, so it works without JavaScript. */
  async filter(f: { q?: string; role?: string; status?: string }) {
    if (f.q !== undefined) await this.page.getByLabel('Search people').fill(f.q);
    if (f.role !== undefined) await this.page.getByLabel('Role', { exact: true }).selectOption({ label: f.role });
    if (f.status !== undefined) await this.page.getByLabel('Status', { exact: true }).selectOption({ label: f.status });
    await this.page.getByRole('button', { name: 'Apply filters' }).click();
  }
  /** A person's row, by user name. */
  row(username: string) {
    return this.page.getByRole('row').filter({ has: this.page.getByText(username, { exact: true }) });
  }
  async next() {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
  }
  async previous() {
    await this.page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Previous' }).click();
  }
  async invite(username: string, displayName: string) {
    await this.page.getByLabel('User name').fill(username);
    await this.page.getByLabel('Display name').fill(displayName);
    await this.page.getByRole('button', { name: 'Create invitation' }).click();
  }
}
