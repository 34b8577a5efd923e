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

/** The owners of the application form: the current owners as ticked checkboxes, "Add owners"
 * (user names, works without JavaScript) and, with JavaScript, "Find people". */
export class OwnerPicker {
  constructor(readonly page: Page) {}
  group() {
    return this.page.getByRole('group', { name: 'Owners' });
  }
  /** A current owner's checkbox, by "Display name (username)". */
  current(person: string) {
    return this.group().getByRole('checkbox', { name: person });
  }
  addOwners() {
    return this.page.getByLabel('Add owners');
  }
  async type(usernames: string) {
    await this.addOwners().fill(usernames);
  }
  /** The search box; it exists only once the page's WASM runs. */
  search() {
    return this.page.getByLabel('Find people');
  }
  /** Searches and adds the person ("Display name (username)") to "Add owners" (JavaScript). */
  async pick(query: string, person: string) {
    await this.search().fill(query);
    await this.page.getByRole('button', { name: `Add ${person}` }).click();
  }
}

export class DeclarationEditor {
  constructor(readonly page: Page) {}
  population(name: string) {
    return this.page.getByRole('group', { name, exact: true });
  }
  /** The first method of path `n` (from 1) of a role. */
  slot(population: string, role: string, n: number) {
    return this.page.getByLabel(`${population} · ${role} path ${n}`, { exact: true });
  }
  /** The method used together with the first one in path `n` of a role. */
  together(population: string, role: string, n: number) {
    return this.page.getByLabel(`${population} · ${role} path ${n}, together with`, { exact: true });
  }
  /** "Review and submit…": the draft is saved and, when it may be submitted, its review
   * shows the differences; `reason` is kept with the version. Refused, the editor stays. */
  async submit(reason = '') {
    await this.review();
    if (!/\/declaration\/review$/.test(new URL(this.page.url()).pathname)) return;
    await this.confirm(reason);
  }
  async review() {
    await this.page.getByRole('button', { name: 'Review and submit…' }).click();
    await this.page.waitForLoadState();
  }
  /** On the review page: submits the draft reviewed. */
  async confirm(reason = '') {
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(/^Review version \d+ of /);
    if (reason) await this.page.getByLabel(/^Why this change/).fill(reason);
    await this.page.getByRole('button', { name: /^Submit version \d+$/ }).click();
  }
  async saveDraft() {
    await this.page.getByRole('button', { name: 'Save draft' }).click();
  }
}

/** The version history on an application page: the region named by its heading. */
export function versionHistory(page: Page) {
  return page.getByRole('region', { name: /^History/ });
}
