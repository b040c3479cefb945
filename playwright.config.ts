import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.spec.ts',
	globalSetup: './tests/e2e/global-setup.ts',
	outputDir: 'tests/.artifacts/playwright',
	// The two app nodes and their demo data are shared: one worker keeps the tests independent of each other's timing.
	workers: 1,
	fullyParallel: false,
	timeout: 60_000,
	expect: { timeout: 5_000 },
	reporter: [['list']],
	use: {
		browserName: 'chromium',
		locale: 'ja-JP',
		timezoneId: 'Asia/Tokyo',
		trace: 'retain-on-failure',
		launchOptions: {
			// Debian's Chromium: browser downloads are impossible here. The flags keep it off the (closed) network.
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	}
});
