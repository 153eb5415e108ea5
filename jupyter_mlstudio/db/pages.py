"""Pages of a query, the way SageMaker's List* calls return them (NextToken, MaxResults)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..sagemaker.errors import ValidationError


def page(session: Session, query: Any, order: Any, next_token: str,
         max_results: int) -> tuple[list[Any], str | None]:
    """One page of ``query`` ordered by ``order`` and the token of the next page, if any."""
    try:
        offset = int(next_token or 0)
    except ValueError:
        raise ValidationError("invalid NextToken") from None
    if offset < 0:
        raise ValidationError("invalid NextToken")
    if not 1 <= max_results <= 100:
        raise ValidationError("MaxResults must be between 1 and 100")
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(session.scalars(query.order_by(order).offset(offset).limit(max_results)))
    nxt = offset + max_results
    return rows, (str(nxt) if nxt < total else None)
