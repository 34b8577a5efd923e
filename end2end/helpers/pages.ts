// Page objects: locators by role and label, never CSS paths.
import type { Page } from '@playwright/test';

export class Shell {
  constructor(readonly page: Page) {}
  nav() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }
  heading() {
    return this.page.getByRole('heading', { level: 1 });
  }
}

export class SignInPage extends Shell {
  async goto() {
    await this.page.goto('/signin');
  }
  checkButton() {
    return this.page.getByRole('button', { name: 'Check this browser' });
  }
  readiness() {
    return this.page.getByRole('status');
  }
}

/** Collects Content-Security-Policy violations and page errors while a test runs. */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}
