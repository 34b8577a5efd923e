// A portal of its own over a generated estate: a second release server on its own port and
// database, filled by `server generate`, its first administrator enrolled through the virtual
// authenticator and saved as a signed-in state. The views spec and the browser benchmarks use it.
import type { Browser } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnrolPage } from './portal';
import { addVirtualAuthenticator } from './webauthn';

export interface Estate {
  baseURL: string;
  /** The administrator's signed-in state (a Playwright storage state file). */
  state: string;
  /** The server process's id (its memory is in /proc/PID/status). */
  pid: number;
  stop(): void;
}

function env(port: number, db: string) {
  return {
    ...process.env,
    PORTAL_DATABASE_URL: db,
    PORTAL_PUBLIC_URL: `http://localhost:${port}`,
    PORTAL_BIND: `127.0.0.1:${port}`,
    PORTAL_LOG: 'warn',
    LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../../target/site'),
  };
}

async function ready(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never became ready`);
}

async function enrolAdmin(browser: Browser, baseURL: string, link: string, file: string) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: true });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await new EnrolPage(page).createFirstAdmin(link, 'grace', 'Grace Hopper');
  await context.storageState({ path: file });
  await context.close();
}

/** Generates `apps` applications (seed `seed`) into a fresh database and serves it on `port`. */
export async function generatedEstate(browser: Browser, port: number, apps: number, seed: number): Promise<Estate> {
  const bin = process.env.PORTAL_SERVER_BIN!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-estate-'));
  const db = `sqlite://${dir}/portal.db`;
  execFileSync(bin, ['generate', '--apps', String(apps), '--seed', String(seed)], { env: env(port, db) });
  const server: ChildProcess = spawn(bin, ['serve'], { env: env(port, db), stdio: 'ignore' });
  const baseURL = `http://localhost:${port}`;
  await ready(baseURL);
  const out = execFileSync(bin, ['bootstrap-admin'], { env: env(port, db) }).toString();
  const link = /(http:\/\/localhost:\d+\/enrol\/\S+)/.exec(out)?.[1];
  if (!link) throw new Error(`no link in: ${out}`);
  const state = path.join(dir, 'admin.json');
  await enrolAdmin(browser, baseURL, link, state);
  return { baseURL, state, pid: server.pid!, stop: () => server.kill() };
}
