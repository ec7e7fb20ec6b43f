"""Plants: what grows, and watering."""


class Plant:
    """Something that grows."""

    def grow(self, days):
        """Grow for ``days``."""
        return days


class Rose(Plant):
    """A plant with thorns."""


def water(plant):
    """Water ``plant``."""
    return plant
