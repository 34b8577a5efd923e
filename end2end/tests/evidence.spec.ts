import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generatedEstate, type Estate } from '../helpers/estate';
import { EnrolPage, inviteUser } from '../helpers/portal';
import { addVirtualAuthenticator } from '../helpers/webauthn';

// The auditor's story on a generated estate of 200 applications: why an application fails a
// control and who approved its exception, a bundle whose manifest verifies and whose OSCAL
// documents validate against NIST's schema, and the chain verified against a signed checkpoint.
// With JavaScript on, a new auditor is invited and enrolled; without, the administrator (who
// may read evidence too) walks the same pages.

let estate: Estate | undefined;
let baseURL = '';
let state = '';

test.beforeAll(async ({ browser }, info) => {
  test.setTimeout(180_000);
  const port = Number(process.env.PORTAL_E2E_PORT ?? 3100) + (info.project.name === 'js-off' ? 14 : 13);
  estate = await generatedEstate(browser, port, 200, 9);
  ({ baseURL, state } = estate);
});

test.afterAll(() => {
  estate?.stop();
});

/** A signed-in auditor's page (JavaScript on), or the administrator's (JavaScript off). */
async function evidenceReader(browser: import('@playwright/test').Browser, javaScriptEnabled: boolean): Promise<Page> {
  const admin = await (await browser.newContext({ baseURL, storageState: state, javaScriptEnabled })).newPage();
  if (!javaScriptEnabled) return admin;
  const link = await inviteUser(admin, 'aude', 'Aude Auditor', ['Auditor']);
  const context = await browser.newContext({ baseURL, javaScriptEnabled: true });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(link);
  await new EnrolPage(page).create();
  return page;
}

function python(args: string[]): string {
  return execFileSync(args[0], args.slice(1), { encoding: 'utf8' });
}

test('an auditor finds why an application fails a control, who approved its exception, and downloads evidence that verifies', async ({
  browser,
  javaScriptEnabled,
}, info) => {
  test.setTimeout(180_000);
  const page = await evidenceReader(browser, javaScriptEnabled);

  // Frameworks: every control with how many applications meet it.
  await page.goto('/frameworks');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Frameworks');
  const csf = page.locator('section#fw-csf');
  await expect(csf.getByRole('row', { name: /CSF PR\.AA-03/ })).toBeVisible();
  await expect(csf.getByRole('row', { name: /CSF PR\.AC-1/ })).toContainText('Alias of PR.AA-01');
  await page.screenshot({ path: info.outputPath(`frameworks-${info.project.name}.png`), fullPage: true });

  // Why applications fail PR.AA-03: the findings behind it.
  await csf.getByRole('link', { name: /^Not met applications: .*CSF PR\.AA-03$/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('CSF PR.AA-03');
  const failing = page.getByRole('table').locator('tbody tr').first();
  await expect(failing.getByRole('listitem').first()).toBeVisible();
  await page.screenshot({ path: info.outputPath(`control-not-met-${info.project.name}.png`), fullPage: true });

  // A control met only by exception: who approved it, when, why.
  await page.goto('/frameworks');
  await page.getByRole('link', { name: /^Excepted applications: / }).first().click();
  await expect(page.getByRole('link', { name: /^Excepted \(/ })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: 'Excepted: who approved it, why, until when' }).first().click();
  await expect(page.getByRole('heading', { name: 'Compensating controls' })).toBeVisible();
  await expect(page.getByText(/Approved/).first()).toBeVisible();
  await page.screenshot({ path: info.outputPath(`exception-${info.project.name}.png`), fullPage: true });

  // Evidence: the chain verified against a signed checkpoint (the server signs one on start).
  await expect(async () => {
    await page.goto('/evidence');
    await expect(page.getByRole('region', { name: 'Chain verification' })).toContainText('Audit chain: Verified');
  }).toPass({ timeout: 90_000 });
  await expect(page.getByRole('region', { name: 'Chain verification' })).toContainText('Latest signed checkpoint: event');
  await page.screenshot({ path: info.outputPath(`evidence-${info.project.name}.png`), fullPage: true });

  // The bundle: its manifest verifies, its OSCAL documents validate.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Evidence bundle (ZIP)' }).click();
  const download = await downloading;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundle-'));
  const zip = path.join(dir, download.suggestedFilename());
  await download.saveAs(zip);
  const checked = python([
    'python3',
    '-c',
    [
      'import hashlib,json,sys,zipfile',
      'z=zipfile.ZipFile(sys.argv[1]); m=json.loads(z.read("manifest.json"))',
      'bad=[f["name"] for f in m["files"] if hashlib.sha256(z.read(f["name"])).hexdigest()!=f["sha256"]]',
      'assert not bad, bad',
      'z.extractall(sys.argv[2]); print(len(m["files"]))',
    ].join('\n'),
    zip,
    dir,
  ]);
  expect(Number(checked.trim())).toBeGreaterThan(10);
  const venv = path.join(os.homedir(), '.cache/passwordless-portal/oscal-venv/bin/python');
  const validate = path.resolve(__dirname, '../../server/tests/oscal/validate.py');
  expect(python([venv, validate, 'assessment-results', path.join(dir, 'oscal-assessment-results.json')])).toContain('valid');
  expect(python([venv, validate, 'poam', path.join(dir, 'oscal-poam.json')])).toContain('valid');

  // Verified now, against the checkpoint the export signed.
  await page.goto('/evidence');
  await page.getByRole('link', { name: 'Verify the chain now' }).click();
  await expect(page.getByRole('status')).toContainText('Verified');
  await expect(page.getByRole('status')).toContainText('The chain holds the checkpoint signed');
  await page.screenshot({ path: info.outputPath(`verify-${info.project.name}.png`) });

  // The export is in the trail, and the trail filters in the address.
  await page.goto('/evidence');
  await page.getByLabel('Action').selectOption('evidence.exported');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=evidence.exported/);
  await expect(page.getByRole('table').locator('tbody tr').first()).toContainText('evidence.exported');
  await page.getByRole('table').locator('tbody tr').first().getByRole('link').first().click();
  await expect(page.getByText('Its hash, recomputed over the bytes stored, matches.')).toBeVisible();
  await page.screenshot({ path: info.outputPath(`event-${info.project.name}.png`), fullPage: true });
});
