import { defineConfig } from '@playwright/test';

// The browser benchmarks (B7, B8 of the design's benchmarks): not part of `make test`; `make
// bench` runs them against the release build. Each spec starts the portals it measures.
export default defineConfig({
  testDir: './bench',
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 20 * 60_000,
  use: {
    browserName: 'chromium',
    javaScriptEnabled: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    },
  },
});
