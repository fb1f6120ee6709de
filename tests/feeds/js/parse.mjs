// Parse an iCalendar feed from stdin with Mozilla's ical.js (Thunderbird's parser) and print
// every occurrence it sees as JSON: uid, summary, status, sequence, local wall-clock start and
// end in the event's own zone, and the UTC instants ical.js computes from the feed's VTIMEZONE.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}

const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString();
const local = (time) => time.toString().slice(0, 16);
const out = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  const base = {
    uid: event.uid,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    alarms: vevent.getAllSubcomponents("valarm").length,
  };
  if (event.isRecurring()) {
    const it = event.iterator();
    let next;
    let guard = 0;
    while ((next = it.next()) && guard++ < 1000) {
      const details = event.getOccurrenceDetails(next);
      out.push({ ...base, start: local(details.startDate), end: local(details.endDate),
                 start_utc: utc(details.startDate), end_utc: utc(details.endDate) });
    }
  } else {
    out.push({ ...base, start: local(event.startDate), end: local(event.endDate),
               start_utc: utc(event.startDate), end_utc: utc(event.endDate) });
  }
}
process.stdout.write(JSON.stringify(out));
