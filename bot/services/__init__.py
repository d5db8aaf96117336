"""Use cases with plain inputs and outputs. No Bolt imports here."""
