import type { Slot } from '../../modules/meetings/index.js';

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/** `Mon 14 Sept 2026` for a wall-clock day (no time zone involved: it is already local). */
export function dayLabel(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

/** `Mon 14 Sept 2026, 09:00–09:30`: the name of a slot for labels and CSV headers. */
export function slotLabel(slot: Slot): string {
  return `${dayLabel(slot.day)}, ${slot.start}–${slot.end}`;
}

/** Slots laid out as a table: one column per day, one row per time of day. */
export function slotTable(slots: Slot[]): { days: string[]; times: Array<{ start: string; end: string }>; at: (day: string, start: string) => Slot | undefined } {
  const days = [...new Set(slots.map((s) => s.day))];
  const times = [...new Map(slots.map((s) => [s.start, { start: s.start, end: s.end }])).values()].sort((a, b) => a.start.localeCompare(b.start));
  const byKey = new Map(slots.map((s) => [s.key, s]));
  return { days, times, at: (day, start) => byKey.get(`${day}T${start}`) };
}

/**
 * The availability checkboxes: a real table (row and column headers) whose every checkbox also
 * carries its full slot name as its label, so a screen reader says "Mon 14 Sept 2026, 09:00–09:30"
 * and no script is needed.
 */
export function AvailabilityTable({ slots, checked, disabled, timeZone }: { slots: Slot[]; checked: ReadonlySet<string>; disabled: boolean; timeZone: string }) {
  const { days, times, at } = slotTable(slots);
  return (
    <div class="slot-grid">
      <table>
        <caption>Tick the times you are available ({timeZone} time)</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {days.map((day) => (
              <th scope="col">{dayLabel(day)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {times.map((time) => (
            <tr>
              <th scope="row">
                {time.start}–{time.end}
              </th>
              {days.map((day) => {
                const slot = at(day, time.start);
                return (
                  <td>
                    {slot && (
                      <label class="slot">
                        <input type="checkbox" name="slot" value={slot.key} checked={checked.has(slot.key)} disabled={disabled} data-testid={`slot-${slot.key}`} />
                        <span class="visually-hidden">{slotLabel(slot)}</span>
                      </label>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
