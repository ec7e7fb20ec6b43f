"""The dated price table (package data ``prices.json``) and cost arithmetic."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sphinxcontrib_llmdocs.llm.protocol import Usage

__all__ = ["ModelPrice", "PriceTable", "default_price_table"]


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens for one model."""

    input: float
    output: float
    cache_write: float
    cache_read: float


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name, the date they were taken, and the batch discount (a fraction)."""

    as_of: str
    batch_discount: float
    models: Mapping[str, ModelPrice]

    def price(self, model: str) -> ModelPrice | None:
        """The price of ``model``, also for dated ids such as ``claude-sonnet-4-5-20250929``."""
        if model in self.models:
            return self.models[model]
        for name in sorted(self.models, key=len, reverse=True):
            if model.startswith(name + "-"):
                return self.models[name]
        return None

    def cost(self, model: str, usage: Usage, *, batch: bool = False) -> float | None:
        """USD for ``usage`` on ``model``; ``None`` when the model is not in the table."""
        price = self.price(model)
        if price is None:
            return None
        total = (
            usage.input_tokens * price.input
            + usage.output_tokens * price.output
            + usage.cache_creation_input_tokens * price.cache_write
            + usage.cache_read_input_tokens * price.cache_read
        ) / 1_000_000
        return total * (1 - self.batch_discount) if batch else total

    def with_overrides(self, overrides: Mapping[str, Mapping[str, float]]) -> PriceTable:
        """A copy where the models in ``overrides`` (USD per million tokens) replace or join the table."""
        models = dict(self.models)
        for name, fields in overrides.items():
            models[name] = ModelPrice(**{k: float(v) for k, v in fields.items()})
        return PriceTable(self.as_of, self.batch_discount, models)


@cache
def default_price_table() -> PriceTable:
    """The table shipped with this version."""
    data = json.loads((resources.files(__package__) / "prices.json").read_text(encoding="utf-8"))
    return PriceTable(
        as_of=str(data["as_of"]),
        batch_discount=float(data["batch_discount"]),
        models={name: ModelPrice(**fields) for name, fields in data["models"].items()},
    )
