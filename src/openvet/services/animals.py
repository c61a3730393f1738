"""Rules for animals."""

from __future__ import annotations

from openvet.services import Change, rule


@rule
def animal_has_owner(change: Change) -> None:
    """Every animal belongs to a Contact (its owner); the document's Animal has no meaning without one."""
    contact_id = change.record.get("contact_id")
    if contact_id is None:
        change.refuse("contact_id", "is required: an Animal must have an owner Contact")
    elif "contact_id" in change.values:  # a new owner must be a current client (one that exists: link check)
        owner = change.lookup("contact", contact_id)
        if owner is not None and not owner.get("active"):
            change.refuse("contact_id", f"Contact {contact_id} is not active")


@rule
def animal_breed_matches_species(change: Change) -> None:
    """A breed belongs to one species; an animal cannot be a Labrador cat."""
    breed_id = change.record.get("breed_id")
    if breed_id is None or not ({"breed_id", "species_id"} & change.values.keys()):
        return
    breed = change.lookup("breed", breed_id)
    species_id = change.record.get("species_id")
    if breed and breed.get("species_id") and species_id and breed["species_id"] != species_id:
        change.refuse("breed_id", f"Breed {breed_id} is not a breed of Species {species_id}")
