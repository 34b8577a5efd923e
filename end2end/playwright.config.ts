import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The release server on a fresh SQLite database, reached as http://localhost (WebAuthn refuses
// IP addresses as origins).
const port = Number(process.env.PORTAL_E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
// One fresh database per run; workers re-read this config and must find the same one.
if (!process.env.PORTAL_E2E_DATABASE_URL) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-'));
  process.env.PORTAL_E2E_DATABASE_URL = `sqlite://${dataDir}/portal.db`;
}
const databaseUrl = process.env.PORTAL_E2E_DATABASE_URL;

const serverBin =
  process.env.PORTAL_SERVER_BIN ??
  path.join(os.homedir(), '.cache/passwordless-portal/target/release/server');
process.env.PORTAL_SERVER_BIN = serverBin;

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  timeout: 30_000,
  use: { baseURL, trace: 'retain-on-failure' },
  projects: [
    { name: 'js-on', use: { ...chromium, javaScriptEnabled: true } },
    // Runs after js-on, whose passkey story leaves a signed-in session for the no-JS form tests.
    { name: 'js-off', use: { ...chromium, javaScriptEnabled: false }, dependencies: ['js-on'] },
  ],
  webServer: {
    command: `${serverBin} serve`,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      PORTAL_DATABASE_URL: databaseUrl,
      PORTAL_PUBLIC_URL: baseURL,
      PORTAL_BIND: `127.0.0.1:${port}`,
      PORTAL_LOG: 'warn',
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../target/site'),
    },
  },
});
