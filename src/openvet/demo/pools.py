"""Pools of realistic values, drawn once and then combined at random.

Faker is slow per call (tens of microseconds), so a few thousand names and streets are drawn from it once;
a million owners are then made by picking from these pools with a seeded ``random.Random``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

# city, region, post code range, latitude, longitude, suburbs
PLACES = (
    ("Hamilton", "Waikato", (3200, 3216), -37.787, 175.279,
     ("Hamilton Central", "Hillcrest", "Chartwell", "Rototuna", "Dinsdale", "Frankton", "Flagstaff",
      "Hamilton East", "Melville", "Nawton", "Silverdale", "Fairfield")),
    ("Cambridge", "Waikato", (3432, 3434), -37.885, 175.469, ("Leamington", "Cambridge East", "Hautapu")),
    ("Te Awamutu", "Waikato", (3800, 3800), -38.008, 175.324, ("Pekerau", "Te Awamutu Central", "Kihikihi")),
    ("Auckland", "Auckland", (600, 2699), -36.848, 174.763,
     ("Ponsonby", "Remuera", "Mount Eden", "Grey Lynn", "Takapuna", "Howick", "Henderson", "Papatoetoe",
      "Onehunga", "Devonport", "Albany", "Manurewa", "Epsom", "Glen Innes")),
    ("Tauranga", "Bay of Plenty", (3110, 3118), -37.687, 176.165,
     ("Mount Maunganui", "Papamoa", "Otumoetai", "Bethlehem", "Greerton", "Welcome Bay")),
    ("Rotorua", "Bay of Plenty", (3010, 3015), -38.137, 176.251, ("Glenholme", "Ngongotaha", "Lynmore")),
    ("Wellington", "Wellington", (6011, 6037), -41.286, 174.776,
     ("Karori", "Kelburn", "Island Bay", "Newtown", "Miramar", "Johnsonville", "Thorndon", "Khandallah")),
    ("Christchurch", "Canterbury", (8011, 8083), -43.532, 172.636,
     ("Riccarton", "Merivale", "Sumner", "Papanui", "Fendalton", "Halswell", "Linwood", "Cashmere")),
    ("Dunedin", "Otago", (9010, 9035), -45.879, 170.503,
     ("Roslyn", "Mornington", "St Clair", "Andersons Bay")),
    ("Palmerston North", "Manawatū-Whanganui", (4410, 4414), -40.352, 175.608,
     ("Hokowhitu", "Terrace End", "Awapuni", "Kelvin Grove")),
    ("Napier", "Hawke's Bay", (4110, 4112), -39.493, 176.912, ("Taradale", "Greenmeadows", "Ahuriri")),
    ("Nelson", "Nelson", (7010, 7011), -41.271, 173.284, ("Stoke", "Tahunanui", "Atawhai")),
    ("Whangārei", "Northland", (110, 112), -35.725, 174.323, ("Kensington", "Tikipunga", "Onerahi")),
)

EMAIL_DOMAINS = ("gmail.com", "xtra.co.nz", "outlook.com", "hotmail.com", "yahoo.co.nz", "icloud.com",
                 "slingshot.co.nz", "orcon.net.nz")
MOBILE_PREFIXES = ("021", "022", "027", "029", "020")
LANDLINE_PREFIXES = ("07", "09", "04", "03", "06")

PET_NAMES = (
    "Bella", "Max", "Charlie", "Luna", "Coco", "Milo", "Daisy", "Buddy", "Ruby", "Rocky", "Molly", "Bailey",
    "Lucy", "Ollie", "Rosie", "Teddy", "Poppy", "Archie", "Maggie", "Jack", "Lola", "Toby", "Sadie", "Duke",
    "Bonnie", "Louie", "Willow", "Bear", "Nala", "Loki", "Zeus", "Pepper", "Ginger", "Oscar", "Tigger",
    "Smokey", "Misty", "Simba", "Cleo", "Felix", "Sooty", "Shadow", "Mittens", "Pippa", "Biscuit", "Honey",
    "Maple", "Kiwi", "Pounamu", "Nikau", "Kowhai", "Tui", "Fern", "Ruru", "Moana", "Koha", "Rata", "Mako",
    "Storm", "Blaze", "Thunder", "Star", "Dusty", "Flicka", "Gypsy", "Jasper", "Hazel", "Sage", "Olive",
    "Winston", "Murphy", "Finn", "Hunter", "Ziggy", "Gus", "Bruno", "Marley", "Frankie", "Harley", "Indie",
    "Maisie", "Peaches", "Pickles", "Pumpkin", "Sushi", "Mochi", "Tofu", "Nugget", "Waffles", "Snowy",
    "Patch", "Rusty", "Scout", "Skye", "Tilly", "Zara", "Ellie", "Millie", "Penny", "Missy", "Rex", "Spot",
    "Benji", "Boston", "Chester", "Dexter", "Elvis", "Fudge", "Harvey", "Kobe", "Leo", "Mango", "Neo",
    "Otis", "Percy", "Quincy", "Reggie", "Sully", "Tank", "Uma", "Vinnie", "Wally", "Xena", "Yogi", "Zoe",
    "Buttercup", "Clover", "Daffodil", "Meg", "Jess", "Floss", "Nell", "Sky", "Tess", "Bob", "Fly", "Mac",
)

DEATH_REASONS = ("Euthanasia - old age", "Euthanasia - neoplasia", "Chronic kidney disease",
                 "Cardiac failure", "Road traffic accident", "Euthanasia - quality of life", "Unknown",
                 "Gastric dilatation volvulus")

NOTES = ("Nervous at the clinic, gentle handling.", "Muzzle before examination.",
         "Allergic to penicillin.", "Owner prefers morning appointments.", "Food-motivated: bring treats.",
         "Previous reaction to leptospirosis vaccine.", "Chronic otitis, monitor ears.",
         "On a renal diet.", "Insured with Southern Cross Pet.")


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]


def draw_pools(seed: int, size: int = 3000) -> Pools:
    """Names and street names from Faker (New Zealand and British English), drawn once."""
    logging.getLogger("faker").setLevel(logging.WARNING)
    from faker import Faker

    faker = Faker(["en_NZ", "en_GB", "en_AU"])
    faker.seed_instance(seed)
    firsts: set[str] = set()
    lasts: set[str] = set()
    streets: set[str] = set()
    for _ in range(size):
        firsts.add(faker.first_name())
        lasts.add(faker.last_name())
    for _ in range(size // 2):
        streets.add(faker["en_NZ"].street_name())
    rng = random.Random(seed)
    return Pools(*(tuple(rng.sample(sorted(pool), len(pool))) for pool in (firsts, lasts, streets)))
