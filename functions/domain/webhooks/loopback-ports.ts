/**
 * The loopback ports development webhooks may reach (`LOOPBACK_WEBHOOK_PORTS`): a comma-separated
 * list of ports and inclusive ranges, e.g. `8900-8999,9100`. Only unprivileged ports: 1-1023 host
 * system services (SSH, SMTP…), which a webhook must never reach even on a development machine.
 * Kept apart from url-policy.ts so the config module can parse the setting without loading it.
 */
export const MIN_LOOPBACK_WEBHOOK_PORT = 1024;
const MAX_PORT = 65535;

/** Parses the list; throws an Error naming the first bad item. An empty text is the empty set. */
export function parsePortList(text: string): ReadonlySet<number> {
  const ports = new Set<number>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < MIN_LOOPBACK_WEBHOOK_PORT || to > MAX_PORT || from > to) {
      throw new Error(`"${item}" is not a port or range of ports within ${MIN_LOOPBACK_WEBHOOK_PORT}-${MAX_PORT}`);
    }
    for (let p = from; p <= to; p++) ports.add(p);
  }
  return ports;
}

/** The set as the shortest list `parsePortList` reads back: ascending, runs written as ranges. */
export function formatPortList(ports: Iterable<number>): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const items: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    items.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return items.join(',');
}
