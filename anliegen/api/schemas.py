import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

# The values the API takes, checked by the schema (422 with the allowed values) and listed in
# the OpenAPI document; tests assert they match the models' choices.
StatusName = Literal["new", "open", "pending", "solved", "closed"]
ChannelName = Literal["email", "phone", "portal", "webform", "internal"]
LevelName = Literal["first", "second", "lead"]
PriorityValue = Annotated[int, Field(ge=1, le=4, description="1 low, 2 normal, 3 high, 4 urgent")]
TagName = Annotated[str, Field(min_length=1, max_length=60)]


class Error(Schema):
    detail: str


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    confidential: bool


class CustomerOut(Schema):
    id: int
    name: str
    emails: list[str]
    phones: list[str]
    preferred_language: str
    customer_since: datetime.date | None
    organisation: str | None


class CaseOut(Schema):
    number: str
    subject: str
    status: str
    priority: int
    level: str
    channel: str
    team: str
    assignee: str | None
    customer_id: int
    tags: list[str]
    language: str
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    first_response_at: datetime.datetime | None
    solved_at: datetime.datetime | None


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    kind: str
    channel: str
    author: str
    text: str
    language: str
    created_at: datetime.datetime
    attachments: list[str]


class CaseDetail(CaseOut):
    messages: list[MessageOut]


class CaseIn(Schema):
    subject: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)
    customer_email: str = Field(min_length=3, max_length=254)
    customer_name: str = ""
    team: str = Field(description="Team slug")
    channel: ChannelName = "email"
    priority: PriorityValue = 2
    tags: list[TagName] = Field([], max_length=50)


class CaseUpdate(Schema):
    """Fields left out stay as they are. All changes are made together, or none (400)."""

    status: StatusName | None = None
    priority: PriorityValue | None = None
    team: str | None = Field(None, description="Team slug")
    assignee: str | None = Field(None, description="User name; empty string unassigns")
    tags_add: list[TagName] = Field([], max_length=50)
    tags_remove: list[TagName] = Field([], max_length=50)


class TextIn(Schema):
    text: str = Field(min_length=1)


class EscalateIn(Schema):
    reason: str = Field(min_length=1)
    level: LevelName | None = None
