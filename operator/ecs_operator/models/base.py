"""The base of every ECS model: the ECS API's field names, unknown fields rejected."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class EcsModel(BaseModel):
    """An ECS API shape. Unknown fields are errors, never dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)

    def to_ecs(self) -> dict[str, Any]:
        """The fields that were given, in the ECS API's JSON shape."""
        return self.model_dump(mode="json", exclude_unset=True)
