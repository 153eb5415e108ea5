"""Pages of a query, the way SageMaker's List* calls return them (NextToken, MaxResults)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import ValidationError
from .times import parse_time

_TIME_FILTERS = {"CreationTimeAfter": "created_after", "CreationTimeBefore": "created_before",
                 "LastModifiedTimeAfter": "modified_after",
                 "LastModifiedTimeBefore": "modified_before"}


@dataclass
class ListFilter:
    """What a SageMaker ``List*`` request asks for: filters, order and the page."""

    name_contains: str = ""
    status: str = ""
    sort_by: str = "CreationTime"
    sort_order: str = "Descending"
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    next_token: str = ""
    max_results: int = 50

    @classmethod
    def from_request(cls, params: Mapping[str, Any], max_results: int = 50) -> ListFilter:
        """From a request's members (``NameContains``, ``SortBy``, ``CreationTimeAfter``…)."""
        found = cls(name_contains=params.get("NameContains") or "",
                    status=params.get("StatusEquals") or "",
                    sort_by=params.get("SortBy") or "CreationTime",
                    sort_order=params.get("SortOrder") or "Descending",
                    next_token=params.get("NextToken") or "")
        try:
            found.max_results = int(params.get("MaxResults") or max_results)
        except (TypeError, ValueError):
            raise ValidationError("MaxResults must be an integer") from None
        for member, attribute in _TIME_FILTERS.items():
            try:
                setattr(found, attribute, parse_time(params.get(member)))
            except (TypeError, ValueError, OverflowError):
                raise ValidationError(f"{member} must be a time (epoch seconds or ISO "
                                      "8601)") from None
        return found


def list_page(session: Session, model: Any, filters: ListFilter,
              *where: Any) -> tuple[list[Any], str | None]:
    """One page of the rows of ``model`` (a table with ``name``, ``created_at`` and maybe
    ``status`` and ``updated_at``) that ``filters`` and the ``where`` clauses select, in
    the filters' order."""
    query = select(model).where(*where)
    if filters.status:
        query = query.where(model.status == filters.status)
    if filters.name_contains:
        query = query.where(model.name.contains(filters.name_contains, autoescape=True))
    modified = getattr(model, "updated_at", model.created_at)
    for column, after, before in ((model.created_at, filters.created_after,
                                   filters.created_before),
                                  (modified, filters.modified_after, filters.modified_before)):
        if after is not None:
            query = query.where(column > after)
        if before is not None:
            query = query.where(column < before)
    columns = {"Name": model.name, "CreationTime": model.created_at,
               "Status": getattr(model, "status", None)}
    column = columns.get(filters.sort_by)
    if column is None:
        raise ValidationError(f"SortBy {filters.sort_by!r} is not one of "
                              f"{', '.join(k for k, v in columns.items() if v is not None)}")
    if filters.sort_order not in ("Ascending", "Descending"):
        raise ValidationError("SortOrder must be Ascending or Descending")
    ascending = filters.sort_order == "Ascending"
    order = [column.asc() if ascending else column.desc()]
    if column is not model.name:  # ties in a stable order, so pages neither skip nor repeat
        order.append(model.name.asc() if ascending else model.name.desc())
    return page(session, query, order, filters.next_token, filters.max_results)


def _offset(next_token: str, max_results: int) -> int:
    """Where the page a token names starts; ValidationError for a bad token or size."""
    try:
        offset = int(next_token or 0)
    except ValueError:
        raise ValidationError("invalid NextToken") from None
    if offset < 0:
        raise ValidationError("invalid NextToken")
    if not 1 <= max_results <= 100:
        raise ValidationError("MaxResults must be between 1 and 100")
    return offset


def _next_token(offset: int, max_results: int, total: int) -> str | None:
    nxt = offset + max_results
    return str(nxt) if nxt < total else None


def page(session: Session, query: Any, order: Any, next_token: str,
         max_results: int) -> tuple[list[Any], str | None]:
    """One page of ``query`` ordered by ``order`` (a column or a list of them) and the
    token of the next page, if any."""
    offset = _offset(next_token, max_results)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    orders = order if isinstance(order, list) else [order]
    rows = list(session.scalars(query.order_by(*orders).offset(offset).limit(max_results)))
    return rows, _next_token(offset, max_results, total)


def page_of(items: list[Any], next_token: str, max_results: int
            ) -> tuple[list[Any], str | None]:
    """One page of a list already in its order, with the same tokens as :func:`page`."""
    offset = _offset(next_token, max_results)
    return items[offset:offset + max_results], _next_token(offset, max_results, len(items))
