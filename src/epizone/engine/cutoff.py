"""The data cutoff under the name its callers (the CLI, the API, the demo seeders) import: see
:mod:`epizone.domain.cutoff`, where it is defined so that input reading (``epizone.io``) can use it too."""

from epizone.domain.cutoff import DataThrough, day_number, from_day_number

__all__ = ["DataThrough", "day_number", "from_day_number"]
