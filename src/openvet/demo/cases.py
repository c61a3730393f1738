"""What a practice sees: why animals come in, what is noted, found, tested, prescribed and said.

Plain data, read by ``histories.py``. A ``Case`` is one reason for a visit (a presenting problem of the clinic's
standard list, ``services/clinics.py``) with the species it happens to, how often, and the words a vet writes
about it; products, tests and analytes are named by the codes ``practice.py`` seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANION = ("Canine", "Feline")
SMALL = ("Canine", "Feline", "Rabbit", "Ferret", "Guinea Pig")
ANY = ()  # every species

# Body systems a PhysicalExam names (``body_system``: the API has no list of them; ezyVet numbers them)
GENERAL, SKIN, MUSCULOSKELETAL, CARDIO, RESPIRATORY, DIGESTIVE, URINARY, EYES, EARS, NERVOUS, LYMPH, MOUTH = \
    range(1, 13)


@dataclass(frozen=True)
class Case:
    problem: str  # a PresentingProblem of the clinic
    species: tuple[str, ...]  # () for any
    weight: float  # how often, among sick visits
    history: tuple[str, ...]  # what the owner reports ({name}: the animal, {days}: how long)
    exam: tuple[str, ...]
    assessment: tuple[str, ...]
    plan: tuple[str, ...]
    body_system: int
    medications: tuple[str, ...] = ()  # product codes, one or two are prescribed
    prescribed: float = 0.0  # share of visits that end with a prescription
    tests: tuple[str, ...] = ()  # diagnostic codes, one or two are requested
    tested: float = 0.0  # share of visits with a lab request
    kind: str = "Consultation"  # the AppointmentType
    room: str = "Consult Room"  # the kind of room it books
    document: str | None = None  # a file attached to some consults (practice.DOCUMENTS)
    recheck: float = 0.15  # share followed by a recheck a week or two later


CASES = (
    Case("Vomiting", SMALL, 8,
         ("{name} has vomited {times} times over {days} days; still drinking, appetite reduced.",
          "Owner reports vomiting since yesterday, no diarrhoea. Possible scavenging on a walk.",
          "Intermittent vomiting for {days} days, worse after meals. No access to toxins known."),
         ("Bright, alert. Mild cranial abdominal discomfort on palpation, no masses felt. Mucous membranes pink "
          "and moist, CRT < 2 s.",
          "Quiet but responsive. Abdomen soft, mild gas, no pain elicited. Estimated 5 % dehydrated."),
         ("Acute gastritis, most likely dietary indiscretion.", "Gastroenteritis; foreign body less likely "
          "given exam, monitor."),
         ("Bland diet for 3 days, small frequent meals. Maropitant once daily. Recheck if vomiting persists "
          "beyond 48 h.", "Antiemetic given. Discussed warning signs: repeated vomiting, lethargy, pain."),
         DIGESTIVE, ("MED-MAR",), 0.7, ("LAB-BIO", "LAB-CBC"), 0.25),
    Case("Diarrhoea", SMALL, 7,
         ("Loose faeces for {days} days, no blood seen, eating normally.",
          "Diarrhoea with some mucus since a change of food {days} days ago."),
         ("Bright and alert, well hydrated. Abdominal palpation unremarkable. Rectal temperature normal.",),
         ("Acute colitis, likely dietary.", "Uncomplicated diarrhoea; parasites possible."),
         ("Bland diet, probiotic paste 5 days. Faecal sample if not resolved.",
          "Metronidazole 5 days, bland diet, worm with a broad-spectrum product."),
         DIGESTIVE, ("MED-MET",), 0.55, ("LAB-FEC",), 0.2),
    Case("Lameness", ("Canine", "Feline", "Equine", "Bovine", "Ovine", "Caprine"), 8,
         ("Lame on the {leg} leg since {days} days ago, after playing at the park.",
          "{name} has been stiff getting up and reluctant to jump for about {days} weeks."),
         ("Grade 2/5 lameness {leg} leg. Pain on extension of the joint, no crepitus, no swelling of the "
          "digits.", "Weight-bearing lameness, mild effusion of the stifle, cranial drawer negative."),
         ("Soft tissue injury, sprain most likely.", "Osteoarthritis, flare-up."),
         ("Meloxicam 7 days, strict lead exercise 2 weeks. Radiographs if not improving.",
          "Pain relief and rest; discussed weight management and joint supplements."),
         MUSCULOSKELETAL, ("MED-MEL", "MED-GAB"), 0.75, (), 0.0, document="radiograph"),
    Case("Itching", ("Canine", "Feline", "Rabbit"), 9,
         ("Scratching and licking paws for {days} weeks, worse at night.",
          "Itchy, chewing at the flanks; fleas seen by the owner last week."),
         ("Erythema and excoriations on the ventral abdomen and interdigital spaces. Flea dirt present.",
          "Patchy alopecia, papules over the dorsal lumbar area. No ectoparasites seen on coat brushing."),
         ("Flea allergy dermatitis.", "Atopic dermatitis, seasonal flare."),
         ("Oclacitinib 14 days, flea control for every animal in the household.",
          "Anti-itch medication, medicated shampoo twice weekly, recheck in 3 weeks."),
         SKIN, ("MED-OCL", "MED-PRED"), 0.8),
    Case("Coughing", ("Canine", "Feline", "Equine"), 5,
         ("Dry hacking cough for {days} days since boarding at a kennel.",
          "Coughing at night and after exercise for {days} weeks."),
         ("Cough induced on tracheal palpation. Lungs clear on auscultation, no fever.",
          "Harsh lung sounds bilaterally, heart rhythm regular, no murmur."),
         ("Infectious tracheobronchitis (kennel cough).", "Bronchitis; cardiac cause less likely."),
         ("Rest, avoid neck collar, anti-inflammatory course. Recheck if not improving within a week.",),
         RESPIRATORY, ("MED-AMC",), 0.5, ("LAB-CBC",), 0.15, document="radiograph"),
    Case("Ear infection", ("Canine", "Feline", "Rabbit"), 7,
         ("Shaking head and scratching the {side} ear for {days} days.",
          "Smelly discharge from the ears, head tilted slightly."),
         ("{side} ear canal erythematous with brown discharge, tympanic membrane intact. Cytology: yeast +++.",
          "Both ears inflamed, moderate ceruminous discharge, painful on palpation."),
         ("Otitis externa, Malassezia.", "Bilateral otitis externa, bacterial and yeast."),
         ("Clean ears with ear cleaner, ear drops twice daily 10 days, recheck in 2 weeks.",),
         EARS, ("MED-EAR",), 0.9, (), 0.0, recheck=0.35),
    Case("Eye problem", SMALL, 4,
         ("{side} eye squinting and watery since {days} days ago.",),
         ("Blepharospasm {side} eye, fluorescein stain positive, small superficial corneal ulcer.",
          "Conjunctivitis, mucoid discharge both eyes, no ulcer on fluorescein."),
         ("Superficial corneal ulcer.", "Bacterial conjunctivitis."),
         ("Chloramphenicol eye ointment three times daily, Elizabethan collar, recheck in 5 days.",),
         EYES, ("MED-EYE",), 0.9, (), 0.0, recheck=0.5),
    Case("Skin mass", ("Canine", "Feline", "Equine"), 4,
         ("Owner found a lump on the {side} flank about {days} weeks ago; not bothering {name}.",),
         ("2 cm soft, mobile subcutaneous mass {side} thoracic wall. Fine needle aspirate taken.",
          "Firm 1 cm dermal nodule, well circumscribed, not painful."),
         ("Lipoma most likely; cytology pending.", "Skin mass of uncertain nature; removal advised."),
         ("Surgical removal booked with histology.", "Monitor size monthly, measure and photograph."),
         SKIN, (), 0.0, ("LAB-BIO", "LAB-CBC"), 0.4, kind="Surgery", room="Surgery", document="consent"),
    Case("Dental disease", COMPANION, 6,
         ("Bad breath and dropping food while eating for {days} weeks.",),
         ("Grade 3 periodontal disease, heavy calculus on premolars, gingivitis, one mobile incisor.",),
         ("Periodontal disease.",),
         ("Dental scale and polish under anaesthetic with extractions as needed; pre-anaesthetic bloods.",),
         MOUTH, ("MED-AMC", "MED-MEL"), 0.6, ("IDX-CHEM", "IDX-CBC"), 0.5, kind="Dental", room="Dental Suite",
         document="dental-chart"),
    Case("Urinary problem", COMPANION, 4,
         ("Straining to urinate and passing small amounts frequently for {days} days.",
          "Drinking and urinating more than usual for a few weeks."),
         ("Bladder small and painful on palpation. Urine sample collected by cystocentesis.",
          "Bright, mildly dehydrated, kidneys palpably normal."),
         ("Cystitis.", "Polyuria and polydipsia; kidney disease, diabetes or hyperthyroidism to rule out."),
         ("Urinalysis and culture; pain relief; wet food and water intake encouraged.",),
         URINARY, ("MED-AMC", "MED-MEL"), 0.6, ("LAB-UA", "LAB-BIO", "LAB-T4"), 0.8, recheck=0.3),
    Case("Weight loss", ANY, 3,
         ("Losing weight over {days} weeks despite a good appetite.",),
         ("Body condition 3/9, muscle wastage over the spine, thyroid slip palpable.",
          "Thin, coat dull, otherwise unremarkable exam."),
         ("Weight loss; hyperthyroidism, diabetes or kidney disease possible.",),
         ("Full bloods and urinalysis; diet history; recheck weight in 4 weeks.",),
         GENERAL, (), 0.0, ("LAB-BIO", "LAB-CBC", "LAB-T4", "IDX-CHEM"), 0.9),
    Case("Lethargy", ANY, 4,
         ("Quiet and sleeping more for {days} days, eating less.",),
         ("Dull but responsive, temperature mildly raised, no localising signs.",),
         ("Lethargy with mild pyrexia, cause not yet found.",),
         ("Bloods today, anti-inflammatory, recheck in 2–3 days or sooner if worse.",),
         GENERAL, ("MED-MEL",), 0.4, ("IDX-CHEM", "IDX-CBC"), 0.6),
    Case("Inappetence", ANY, 3,
         ("Off food for {days} days, picking at treats only.",),
         ("Quiet, gut sounds reduced, mild dehydration.",),
         ("Inappetence; gastrointestinal stasis possible in this species.",),
         ("Fluids under the skin, appetite stimulant, syringe feeding instructions.",),
         DIGESTIVE, ("MED-MAR",), 0.5, ("LAB-BIO",), 0.3),
    Case("Wound", ANY, 5,
         ("Cut on the {leg} leg noticed this morning, bleeding has stopped.",
          "Bite wound from a fight with another animal {days} days ago."),
         ("3 cm laceration {leg} limb, full thickness, contaminated.", "Puncture wounds with swelling, abscess "
          "forming."),
         ("Laceration requiring repair.", "Cat-bite abscess."),
         ("Clipped, lavaged and sutured under sedation; antibiotics; sutures out in 10 days.",
          "Lanced and flushed; antibiotics; keep clean."),
         SKIN, ("MED-AMC",), 0.9, (), 0.0, recheck=0.6),
    Case("Seizures", ("Canine", "Feline"), 1.5,
         ("First seizure this morning lasting about 2 minutes, recovered within half an hour.",),
         ("Normal neurological exam between episodes. Mentation normal.",),
         ("Seizure, idiopathic epilepsy possible; metabolic causes to rule out.",),
         ("Bloods today, seizure diary, emergency plan given to the owner.",),
         NERVOUS, (), 0.0, ("IDX-CHEM", "IDX-CBC"), 0.9),
    Case("Trauma", ANY, 1.5,
         ("Hit by a car {days} days ago, limping and sore.",),
         ("Abrasions on the {leg} side, pain on pelvic palpation, able to bear weight.",),
         ("Soft tissue trauma after a road accident; fracture ruled out clinically.",),
         ("Pain relief, cage rest one week, radiographs if not improving.",),
         MUSCULOSKELETAL, ("MED-MEL",), 0.9, ("LAB-CBC",), 0.3, document="radiograph"),
    Case("Toxin ingestion", ("Canine",), 1,
         ("Ate chocolate (a 200 g dark chocolate bar) about an hour ago.",
          "Found chewing a packet of rat bait this morning."),
         ("Bright, heart rate elevated, no tremors.",),
         ("Toxin ingestion, early.",),
         ("Emesis induced, activated charcoal, monitor for 6 hours; vitamin K as needed.",),
         DIGESTIVE, (), 0.0, ("LAB-BIO",), 0.4),
    Case("Behavioural problem", COMPANION, 1.5,
         ("Anxious when left alone, destroying the door frame.", "Urinating outside the litter tray."),
         ("Healthy on exam.",),
         ("Separation-related behaviour.", "House-soiling, medical causes excluded on exam."),
         ("Behaviour plan, enrichment, referral to a behaviourist if not improving.",),
         GENERAL, (), 0.0, ("LAB-UA",), 0.2),
)

# Visits of a healthy animal: a vaccination (cats and dogs, yearly) or a check
VACCINATION = Case(
    "Vaccination due", COMPANION, 0,
    ("Annual vaccination and health check. No concerns from the owner.",
     "Booster due. Eating and drinking normally, {name} is well in themselves.",
     "Here for vaccination. Owner mentions a little weight gain over winter."),
    ("Healthy on exam. Heart and lungs normal, teeth mild tartar, coat good.",
     "Bright and alert, body condition 5/9, no abnormalities detected.",
     "Healthy; mild dental tartar, ears clean, lymph nodes normal."),
    ("Healthy animal, vaccination given.",), ("Next vaccination due in 12 months. Dental check at that visit.",
                                              "Booster in a year; continue flea and worm control."),
    GENERAL, kind="Vaccination", recheck=0.0)
CHECK = Case(
    "Annual health check", ANY, 0,
    ("Annual check; the owner has no concerns.", "Routine health check, {name} is doing well."),
    ("Healthy on exam, body condition 5/9.", "No abnormalities detected; teeth good."),
    ("Healthy animal.",), ("Continue current care; recheck in a year.",), GENERAL, recheck=0.0)
EUTHANASIA = Case(
    "Annual health check", ANY, 0,
    ("Owner reports {name} has been declining over the past weeks; quality of life discussed.",),
    ("Frail, poor body condition, painful on handling.",),
    ("Quality of life poor; euthanasia elected by the owner.",),
    ("Euthanasia performed with the owner present. Cremation arranged.",),
    GENERAL, kind="Euthanasia", document="consent", recheck=0.0)

# Vaccines by species (product codes); the first is the core vaccine
VACCINES = {"Canine": ("VAC-C5", "VAC-LEP"), "Feline": ("VAC-F3",)}

# code, instructions, quantity, remaining refills
MEDICATIONS = {
    "MED-MAR": ("Give one tablet by mouth once daily for 4 days, with a small meal.", 4, 0),
    "MED-MET": ("Give one tablet by mouth twice daily for 5 days.", 10, 0),
    "MED-MEL": ("Give the measured dose by mouth once daily with food for 7 days.", 1, 1),
    "MED-GAB": ("Give one capsule by mouth twice daily as needed for pain.", 30, 2),
    "MED-OCL": ("Give one tablet by mouth twice daily for 14 days, then once daily.", 20, 1),
    "MED-PRED": ("Give one tablet by mouth once daily for 5 days, then every other day.", 10, 0),
    "MED-AMC": ("Give one tablet by mouth twice daily for 7 days; finish the course.", 14, 0),
    "MED-EAR": ("Clean the ear, then apply 5 drops twice daily for 10 days.", 1, 0),
    "MED-EYE": ("Apply a small strip to the affected eye three times daily for 7 days.", 1, 0),
}

# Lab analytes: test code -> (name, unit, canine range, feline range, decimals); a range of None: a word result
ANALYTES = {
    "LAB-BIO": (("GLU", "mmol/L", (3.9, 8.0), (3.9, 8.8), 1), ("ALT", "U/L", (10, 125), (12, 130), 0),
                ("ALP", "U/L", (23, 212), (14, 111), 0), ("CREA", "umol/L", (44, 159), (71, 212), 0),
                ("UREA", "mmol/L", (2.5, 9.6), (5.7, 12.9), 1), ("TP", "g/L", (52, 82), (57, 89), 0),
                ("ALB", "g/L", (23, 40), (22, 40), 0)),
    "LAB-CBC": (("HCT", "%", (37, 55), (30, 45), 1), ("WBC", "x10^9/L", (5.5, 16.9), (5.5, 19.5), 1),
                ("PLT", "x10^9/L", (175, 500), (300, 800), 0), ("RBC", "x10^12/L", (5.5, 8.5), (6.5, 10.0), 2)),
    "LAB-UA": (("USG", "", (1.015, 1.045), (1.035, 1.060), 3), ("pH", "", (5.5, 7.0), (6.0, 7.0), 1),
               ("PROTEIN", "", None, None, 0)),
    "LAB-T4": (("TT4", "nmol/L", (13, 51), (10, 55), 0),),
    "LAB-FEC": (("FAECAL FLOTATION", "", None, None, 0),),
    "IDX-CHEM": (("GLU", "mmol/L", (3.9, 8.0), (3.9, 8.8), 1), ("CREA", "umol/L", (44, 159), (71, 212), 0),
                 ("ALT", "U/L", (10, 125), (12, 130), 0), ("ALKP", "U/L", (23, 212), (14, 111), 0),
                 ("BUN", "mmol/L", (2.5, 9.6), (5.7, 12.9), 1), ("SDMA", "ug/dL", (0, 14), (0, 14), 0)),
    "IDX-CBC": (("HCT", "%", (37, 55), (30, 45), 1), ("WBC", "x10^9/L", (5.5, 16.9), (5.5, 19.5), 1),
                ("NEU", "x10^9/L", (2.9, 11.6), (2.3, 10.3), 2), ("PLT", "x10^9/L", (175, 500), (300, 800), 0)),
}
WORD_RESULTS = {"PROTEIN": ("Negative", "Trace", "1+"), "FAECAL FLOTATION": ("No parasites seen",
                                                                            "Toxocara eggs seen")}

LEGS = ("left fore", "right fore", "left hind", "right hind")
SIDES = ("left", "right")

# Vital signs by species: temperature (°C), heart rate and respiratory rate ranges (per minute)
VITALS = {
    "Canine": ((37.9, 39.2), (70, 140), (12, 30)), "Feline": ((38.0, 39.2), (140, 220), (20, 36)),
    "Equine": ((37.2, 38.3), (28, 44), (8, 16)), "Bovine": ((38.0, 39.3), (48, 84), (26, 50)),
    "Rabbit": ((38.5, 40.0), (180, 300), (30, 60)), "Ferret": ((37.8, 40.0), (180, 250), (33, 36)),
    "Guinea Pig": ((37.2, 39.5), (230, 380), (42, 104)), "Avian": ((40.0, 42.0), (150, 350), (25, 50)),
    "Ovine": ((38.3, 39.9), (70, 80), (12, 20)), "Caprine": ((38.5, 39.7), (70, 90), (15, 30)),
    "Porcine": ((38.7, 39.8), (70, 120), (32, 58)), "Reptile": ((25.0, 32.0), (20, 60), (4, 20)),
}

CANCELLED_WORDS = ("Owner's car broke down", "Animal much better, will call if needed", "Owner unwell",
                   "Double booked by mistake")

REMINDER_SMS = ("Hi {owner}, {name} is due for an annual vaccination on {due}. Book online or call us on "
                "07 838 1234. Riverside Vets")
REMINDER_EMAIL = ("Dear {owner},\n\nOur records show that {name} is due for an annual vaccination on {due}. "
                  "Keeping vaccinations up to date protects {name} against serious disease.\n\nBook online or "
                  "call us on 07 838 1234.\n\nKind regards,\nThe team at Riverside Veterinary Group")
APPOINTMENT_SMS = ("Hi {owner}, a reminder that {name} has an appointment at Riverside Vets on {when}. "
                   "Reply C to confirm or call 07 838 1234 to change it.")
RESULTS_EMAIL = ("Dear {owner},\n\n{name}'s lab results are back and the vet has reviewed them. {summary}\n\n"
                 "Kind regards,\nThe team at Riverside Veterinary Group")
