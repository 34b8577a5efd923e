// Page objects of the application registry and the declaration editor: locators by role and
// label only.
import { expect, type Page } from '@playwright/test';

export class RegisterApplication {
  constructor(readonly page: Page) {}
  async open() {
    await this.page.goto('/applications');
    await this.page.getByRole('link', { name: 'Register an application' }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Register an application');
  }
  async fill(app: { name: string; description: string; populations: string[]; integration?: string }) {
    await this.page.getByLabel('Name', { exact: true }).fill(app.name);
    await this.page.getByLabel('Description').fill(app.description);
    await this.page.getByLabel(app.integration ?? 'Local authentication').check();
    for (const p of app.populations) await this.page.getByLabel(p).check();
  }
  async submit() {
    await this.page.getByRole('button', { name: 'Register application' }).click();
  }
}

export class DeclarationEditor {
  constructor(readonly page: Page) {}
  population(name: string) {
    return this.page.getByRole('group', { name, exact: true });
  }
  slot(population: string, role: string, n: number) {
    return this.page.getByLabel(`${population} · ${role} method ${n}`);
  }
  async submit() {
    await this.page.getByRole('button', { name: 'Submit version' }).click();
  }
  async saveDraft() {
    await this.page.getByRole('button', { name: 'Save draft' }).click();
  }
}

/** The version history on an application page: the region named by its heading. */
export function versionHistory(page: Page) {
  return page.getByRole('region', { name: /^History/ });
}
