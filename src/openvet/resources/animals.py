"""Animals and the lookups that describe them: Species, Breed, Sex, AnimalColour.

The lookups are records, not enums: a clinic keeps its own lists and the ezyVet API only reads them
(v1 list/get). Species and Sex also carry the numeric code the Provet API speaks (patient ``species``
22001, ``gender`` 2), stored but never on an ezyVet wire, so one record answers both APIs.
"""

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import Boolean, Choice, Epoch, Field, Guid, Integer, Link, Number, Text, Uid

LOOKUP = Endpoint(("list", "get"))
READ_WRITE = ("list", "get", "create", "update", "delete")
WEIGHT_UNIT = Choice("kg", "lb", "g", aliases={"Kilogram": "kg", "Pounds": "lb", "Grams": "g"})
RESUSCITATE = Choice("0", "1", "3", aliases={"No": "0", "Yes": "1", "Advanced Life Support": "3"})

ANIMAL = Resource(
    name="animal",
    title="Animal",
    spec_line=632,
    rules=("animal_has_owner", "animal_breed_matches_species"),
    endpoints={"v1": Endpoint(READ_WRITE)},
    fields=(
        Field("uid", Uid("animal"), create=False, update=False, versions=(), index=True,
              doc="Identifies the Animal across all ezyVet sites (v2 records name animals by it)."),
        Field("name", Text(), index=True, doc="The name of the Animal."),
        Field("code", Text(), index=True, doc="The custom code override for the Animal."),
        Field("sex_id", Link("sex"), doc="The ID of the Sex of the Animal."),
        Field("is_dead", Boolean(), default=False, doc="If true, the Animal is dead."),
        Field("is_hostile", Boolean(), default=False, doc="If true, the Animal is not friendly."),
        Field("animalcolour_id", Link("animalcolour"), doc="The ID of the AnimalColour."),
        Field("species_id", Link("species"), doc="The ID of the Species of the Animal."),
        Field("breed_id", Link("breed"), doc="The ID of the Breed of the Animal."),
        Field("rabies_number", Text(), doc="The rabies registration number of the Animal."),
        Field("date_of_rabies_vaccination", Epoch(), doc="When the Animal was vaccinated against rabies."),
        Field("microchip_number", Text(), index=True, doc="The microchip number of the Animal."),
        # not marked mandatory by the document, but an Animal has an owner (rule animal_has_owner, L598)
        Field("contact_id", Link("contact"), index=True, mandatory=True, doc="The ID of the owner of the Animal."),
        Field("date_of_birth", Epoch(), doc="When the Animal was born."),
        Field("is_estimated_date_of_birth", Boolean(), default=False,
              doc="If true, the date of birth is an estimate only."),
        Field("date_of_death", Epoch(), doc="When the Animal died."),
        Field("death_reason", Text(), doc="The reason of the Animal's death."),
        Field("date_of_desex", Epoch(), doc="When the Animal was spayed/neutered."),
        Field("referring_clinic_id", Link("contact"), doc="The Contact ID of the referring clinic."),
        Field("referring_vet_id", Link("contact"), doc="The Contact ID of the referring vet."),
        Field("residence_contact_id", Link("contact"),
              doc="The Contact ID of the Animal's caretaker, if it does not stay with its owner."),
        Field("weight", Number(4), doc="The weight of the Animal."),
        Field("weight_unit", WEIGHT_UNIT, default="kg",
              doc="The unit of the weight: Kilogram (kg), Pounds (lb) or Grams (g)."),
        Field("resuscitate", RESUSCITATE, default="0",
              doc="No (0), Yes (1) or Advanced Life Support (3)."),
        Field("notes", Text(65535), doc="Notes displayed on the animal page."),
        Field("notes_important", Boolean(), default=False, doc="If true, the notes are marked as important."),
        Field("guid", Guid(), filter=False, create=False, update=False,
              doc="The global unique identifier of the Animal."),
    ),
)

ANIMAL_COLOUR = Resource(
    name="animalcolour",
    title="AnimalColour",
    spec_line=1022,
    endpoints={"v1": LOOKUP},
    fields=(Field("name", Text(), index=True, doc="The name of the AnimalColour, e.g. Black & White."),),
)

SPECIES = Resource(
    name="species",
    title="Species",
    spec_line=12425,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), index=True, doc="The name of the Species, e.g. Canine."),
        Field("provet_code", Integer(), filter=False, versions=(),
              doc="The Provet Cloud species code (22001 = Dog (Canine - Domestic)); not on the ezyVet wire."),
    ),
)

BREED = Resource(
    name="breed",
    title="Breed",
    spec_line=2496,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), index=True, doc="The name of the Breed."),
        Field("species_id", Link("species"), index=True, doc="The ID of the Species the Breed belongs to."),
    ),
)

SEX = Resource(
    name="sex",
    title="Sex",
    spec_line=12276,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), index=True, doc="The name of the Sex, e.g. Male Neutered."),
        Field("abbreviation", Text(16), doc="The abbreviation of the Sex, e.g. MN."),
        Field("is_desexed", Boolean(), default=False, doc="If true, the Sex is spayed/neutered."),
        Field("provet_code", Integer(), filter=False, versions=(),
              doc="The Provet Cloud gender code (2 = Female); not on the ezyVet wire."),
    ),
)

RESOURCES = (ANIMAL, ANIMAL_COLOUR, SPECIES, BREED, SEX)
