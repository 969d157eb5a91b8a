"""What a daemon pass added to the case work: letters written, messages sent to review.

Counted from the highest row ids before the pass, so the count costs two
indexed queries whatever the size of the register. With several daemons on
one PostgreSQL register a pass also counts what the others wrote meanwhile:
it is a progress line, not an audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from register.models import Letter, ReviewItem
from watcher.report import Activity


@dataclass(frozen=True)
class Mark:
    letter: int
    review: int


class RegisterActivity:
    """The daemon's ``ActivityMeter`` over the Letter and ReviewItem tables."""

    def mark(self) -> Mark:
        return Mark(_highest(Letter), _highest(ReviewItem))

    def since(self, mark: object) -> Activity:
        if not isinstance(mark, Mark):
            raise TypeError(f"expected a Mark from mark(), got {mark!r}")
        letters = Letter.select().where(Letter.id > mark.letter).count()
        to_review = (ReviewItem.select(peewee.fn.COUNT(ReviewItem.message.distinct()))
                     .where((ReviewItem.id > mark.review) & ReviewItem.message.is_null(False))
                     .scalar())
        return Activity(letters=letters, to_review=to_review or 0)


def _highest(model: type[peewee.Model]) -> int:
    return model.select(peewee.fn.MAX(model.id)).scalar() or 0
