"""Small helpers the apps' services share."""


def set_fields(instance, allowed, values: dict) -> None:
    """Copy values onto a model instance, refusing any field the action does not own."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)
