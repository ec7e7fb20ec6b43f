"""Tools for the garden."""

import pathlib

from garden.plants import Plant, water


class Shovel:
    """Digs."""

    def dig(self, plant):
        """Dig around ``plant``."""
        return water(plant) if isinstance(plant, Plant) else None

    def shed(self):
        """Where the shovel is kept."""
        return pathlib.Path("shed")
