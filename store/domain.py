"""The store's name for the common domain vocabulary (see `hudang.common.domain`)."""

from __future__ import annotations

from hudang.common.domain import (  # noqa: F401  (re-exported for the store's modules)
    ACTIVE,
    BOX_STATUSES,
    CANCELLED,
    CATEGORIES,
    CATEGORY_EN,
    CUSTOMER_STATUSES,
    HV,
    LOCATION_LEVEL_NAMES,
    LOCATION_LEVELS,
    LV,
    MOVEMENT_KINDS,
    ROLES,
    VOLTAGE_CLASSES,
    ZONE_CLASSES,
    category_code,
    local_time,
    movement_name,
)
