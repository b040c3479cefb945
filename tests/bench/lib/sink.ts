/**
 * The demo SMTP sink (server/dev/mail-sink.ts) in its own process for the storm benchmark, so parsing
 * thousands of mails costs neither the app nodes nor the benchmark's clients. Sends {smtpUrl} over
 * IPC once listening; answers 'count' with {count}, and 'arrivals' with {arrivals}: for every mail,
 * its outbox id (from the Message-ID the app derives from it) and when it arrived (epoch ms).
 */
import { startMailSink } from '../../../server/dev/mail-sink.ts';

const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
let count = 0;
const seen = new Set<number>();
const arrivals: [string, number][] = [];
setInterval(() => {
	for (const m of sink.messages()) {
		const id = m.id;
		if (!seen.has(id)) {
			seen.add(id);
			count++;
			const outboxId = /<outbox-(\d+)\./.exec(m.messageId ?? '')?.[1];
			if (outboxId) arrivals.push([outboxId, Date.parse(m.receivedAt)]);
		}
	}
}, 200).unref();
process.send!({ smtpUrl: sink.smtpUrl });
process.on('message', (m) => process.send!(m === 'arrivals' ? { arrivals } : { count }));
process.on('disconnect', () => void sink.close().finally(() => process.exit(0)));
