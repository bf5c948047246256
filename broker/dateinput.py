"""A date in three boxes (day, month, year), the GOV.UK way, for any feature's form."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import ValidationError


class GovDateField(Field):
    """A date in three boxes, with GOV.UK error messages naming `what` ("the date of the visit").

    Optional when `required` is false: three empty boxes are no date (None).
    """

    widget = GovDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        what: str = "the date",
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.problem: str | None = None
        self.what = what
        self.required = required

    @property
    def _subject(self) -> str:
        return self.what[:1].upper() + self.what[1:]

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        self.problem = None
        parts = [(v or "").strip() for v in valuelist[:3]]
        while len(parts) < 3:
            parts.append("")
        self.raw_data = parts
        if not any(parts):
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            self.problem = f"{self._subject} must include a {' and '.join(missing)}"
            return
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            self.problem = f"{self._subject} must be a real date, like 27 3 2026"
            return
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.problem = f"{self._subject} must be a real date, like 27 3 2026"

    def pre_validate(self, form: Any) -> None:
        if self.problem:
            raise ValidationError(self.problem)
        if self.data is None and self.required:
            raise ValidationError(f"Enter {self.what}")
