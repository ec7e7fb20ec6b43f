"""Tools for the garden."""

from garden.plants import Plant, water


class Shovel:
    """Digs."""

    def dig(self, plant):
        """Dig around ``plant``."""
        return water(plant) if isinstance(plant, Plant) else None
