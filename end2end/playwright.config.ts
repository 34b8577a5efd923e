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
    // Enrols the first administrator and the people the suites sign in as (passkeys need
    // JavaScript), and saves their signed-in states; both projects start from them, so either
    // runs alone (`--project=js-off` runs setup first).
    { name: 'setup', testMatch: /.*\.setup\.ts/, use: { ...chromium, javaScriptEnabled: true } },
    // One database for the whole run: with both projects, js-on runs first (one worker, in this
    // order); its owner story expects the registry still empty.
    { name: 'js-on', use: { ...chromium, javaScriptEnabled: true }, dependencies: ['setup'] },
    { name: 'js-off', use: { ...chromium, javaScriptEnabled: false }, dependencies: ['setup'] },
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
