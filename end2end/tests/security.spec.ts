import { expect, test } from '@playwright/test';

test('pages carry a nonce CSP that matches their scripts', async ({ page }) => {
  const res = await page.goto('/');
  const csp = res?.headers()['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res?.headers()['x-content-type-options']).toBe('nosniff');
  const html = await res!.text();
  expect(html).toContain(`nonce="${nonce}"`);
});

test('a cross-origin state change is refused with 403', async ({ request }) => {
  const res = await request.post('/api/anything', {
    headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    data: 'a=1',
  });
  expect(res.status()).toBe(403);
});

test('readiness reports the database', async ({ request }) => {
  const res = await request.get('/readyz');
  expect(res.status()).toBe(200);
  expect(await res.text()).toBe('ready');
});
