"""The practice's calendar: its working hours in the clinic's timezone, and the bookings of today and ahead.

Past visits fall on working days, at a quarter hour between opening and closing, on the day each animal's
history chooses. Today and the coming three weeks are booked from the vets' slots instead, as a real calendar
fills: today nine slots in ten, fewer the further ahead. The bookings are made here, shuffled once, and handed
to animals as their histories are made, so today's calendar is as full as the practice's vets allow at any
size, and never more than a fair share of a small practice's animals (15 % today, 30 % ahead in all).
"""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

SLOT = 15 * 60
HOURS = ((8 * 3600, 18 * 3600),) * 5 + ((9 * 3600, 12 * 3600), None)  # Monday … Sunday
AHEAD = 21  # days booked ahead
TODAY_FILL = 0.9
FILL_DECAY = 0.88  # each day ahead is booked this much less than the one before
TODAY_SHARE, AHEAD_SHARE = 0.15, 0.30  # at most these shares of the animals: today, and today with ahead


class Calendar:
    def __init__(self, timezone: str, now: int, since: int, vets: int, animals: int, rng: random.Random):
        zone = ZoneInfo(timezone)
        self.now = now
        first = datetime.fromtimestamp(since, zone).date().toordinal() - 2
        last = datetime.fromtimestamp(now, zone).date().toordinal() + AHEAD + 2
        self.first = first
        self.midnights: list[int] = []
        self.hours: list[tuple[int, int] | None] = []
        for ordinal in range(first, last + 1):
            day = date.fromordinal(ordinal)
            self.midnights.append(int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()))
            self.hours.append(HOURS[day.weekday()])
        self.today = self.day_of(now)
        self.bookings = self._book(vets, animals, rng)

    @property
    def today_midnight(self) -> int:
        return self.midnights[self.today]

    def day_of(self, moment: int) -> int:
        """The index of the local day ``moment`` falls on (clamped to the calendar's days)."""
        midnights = self.midnights
        day = min(max((moment - midnights[0]) // 86_400, 0), len(midnights) - 1)
        while day > 0 and midnights[day] > moment:
            day -= 1
        while day + 1 < len(midnights) and midnights[day + 1] <= moment:
            day += 1
        return day

    def slot_on(self, day: int, rand) -> int | None:
        """A quarter hour of working time on ``day``, or on the next open day; None past the calendar's end."""
        hours = self.hours
        while day < len(hours) and hours[day] is None:
            day += 1
        if day >= len(hours):
            return None
        opening, closing = hours[day]
        return self.midnights[day] + opening + SLOT * int(rand() * ((closing - opening) // SLOT))

    def slots(self, day: int) -> int:
        hours = self.hours[day]
        return 0 if hours is None else (hours[1] - hours[0]) // SLOT

    def _book(self, vets: int, animals: int, rng: random.Random) -> list[tuple[int, int]]:
        """(start, vet index) of today's and the coming weeks' bookings, in a random order."""
        today = min(int(vets * self.slots(self.today) * TODAY_FILL), int(animals * TODAY_SHARE))
        ahead = [(day, vets * self.slots(day) * TODAY_FILL * FILL_DECAY ** (day - self.today))
                 for day in range(self.today + 1, min(self.today + AHEAD + 1, len(self.midnights)))]
        room = max(0.0, animals * AHEAD_SHARE - today)
        scale = min(1.0, room / max(sum(wanted for _, wanted in ahead), 1.0))
        bookings: list[tuple[int, int]] = []
        for day, count in ((self.today, today), *((d, int(w * scale)) for d, w in ahead)):
            slots = self.slots(day)
            if not slots or not count:
                continue
            opening = self.midnights[day] + self.hours[day][0]
            for cell in rng.sample(range(vets * slots), min(count, vets * slots)):
                bookings.append((opening + SLOT * (cell // vets), cell % vets))
        rng.shuffle(bookings)
        return bookings

    def take_booking(self) -> tuple[int, int] | None:
        return self.bookings.pop() if self.bookings else None
