/**
 * The demo SMTP sink (server/mail-sink.ts) in its own process for the storm benchmark, so parsing
 * thousands of mails costs neither the app nodes nor the benchmark's clients. Sends {smtpUrl} over
 * IPC once listening; answers {count} to any message.
 */
import { startMailSink } from '../../../server/mail-sink.ts';

const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
let count = 0;
const seen = new Set<number>();
setInterval(() => {
	for (const m of sink.messages()) {
		const id = m.id;
		if (!seen.has(id)) {
			seen.add(id);
			count++;
		}
	}
}, 200).unref();
process.send!({ smtpUrl: sink.smtpUrl });
process.on('message', () => process.send!({ count }));
process.on('disconnect', () => void sink.close().finally(() => process.exit(0)));
