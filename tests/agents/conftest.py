from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.files import PDF  # noqa: F401 - well-formed: the upload check reads its structure

XTKJ = "91430321MA4L16JQ95"
XTCY = "91430321MA4T8K2P6K"


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def grant(today):
    """Grant online as xtkj to a given agent account (default: the demo park agent)."""
    from yiwang.agents import services

    def make(agent="agent", items=("QYSLDJ",), all_items=False, days=30, party=XTKJ, grantor="xtkj"):
        return services.authorisation_grant(actor=user(grantor), party=party, agent=agent, items=list(items),
                                            all_items=all_items, valid_from=today,
                                            valid_until=today + timedelta(days=days))
    return make


@pytest.fixture
def stranger(db):
    return get_user_model().objects.create_user("stranger", password="x")


@pytest.fixture
def individual(db):
    """An individual agent: an ordinary account without any staff role."""
    return get_user_model().objects.create_user("daiban", password="x", first_name="李代办")
