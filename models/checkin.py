from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class CheckIn(Base):
    """A private feedback check-in with one person of a pair, every N program weeks.

    The partner never sees it. A comment reaches a lead only when ``share_with_lead``.
    """

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("pair_id", "person_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(SmallInteger)  # 1st, 2nd, ... check-in of the pair
    week: Mapped[int] = mapped_column(SmallInteger)  # the program week it was asked in
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Did you meet? met | not_yet (asked again two days later) | couldnt
    met: Mapped[str | None] = mapped_column(String(16))
    asked_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1-5
    learned: Mapped[str | None] = mapped_column(Text)  # what they learned or taught
    blockers: Mapped[str | None] = mapped_column(Text)  # anything in the way
    share_with_lead: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    candid: Mapped[str | None] = mapped_column(String(16))  # juniors only: yes | mostly | no
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    final: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
